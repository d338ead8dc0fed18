//! A JPEG's text: its comment segments (`COM`) before the image data. Nothing in a JPEG
//! header is compressed, so the file's own size bounds the work.

/// The comments, joined by lines.
pub(super) fn text(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        if (0xD0..=0xD8).contains(&marker) || marker == 0x01 || marker == 0xFF {
            at += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let Some(data) = bytes.get(at + 4..at + 2 + len.max(2)) else { break };
        if marker == 0xFE {
            out.push(String::from_utf8_lossy(data).into_owned());
        }
        at += 2 + len.max(2);
    }
    out.join("\n")
}
