//! The text inside an uploaded file: a PDF's text layer (lopdf), a PNG's text chunks, a
//! JPEG's comments. No OCR: a scan without a text layer has no text, and processing says so.
//! Bounded: the first pages only, and at most [`MAX_TEXT`] characters, so a hostile file
//! cannot make a worker spend unbounded time or memory.

use std::io::Read;

use fml_domain::document::FileType;

/// Pages read from a PDF.
pub const MAX_PAGES: u32 = 20;
/// Text kept per file.
pub const MAX_TEXT: usize = 200_000;

/// The file's text, or why it cannot be read.
pub fn text(file_type: FileType, bytes: &[u8]) -> Result<String, String> {
    let mut out = match file_type {
        FileType::Pdf => pdf(bytes)?,
        FileType::Png => png(bytes),
        FileType::Jpeg => jpeg(bytes),
    };
    if out.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    Ok(out)
}

fn pdf(bytes: &[u8]) -> Result<String, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("the PDF cannot be read: {e}"))?;
    if doc.is_encrypted() {
        return Err("the PDF is encrypted".to_owned());
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().take_while(|n| *n <= MAX_PAGES).collect();
    if pages.is_empty() {
        return Err("the PDF has no pages".to_owned());
    }
    // A page whose fonts lopdf cannot decode is skipped rather than failing the document.
    let mut out = String::new();
    for p in pages {
        if let Ok(t) = doc.extract_text(&[p]) {
            out.push_str(&t);
            out.push('\n');
        }
        if out.len() > MAX_TEXT {
            break;
        }
    }
    Ok(out)
}

/// At most `limit` bytes of a zlib stream, as text.
fn inflate(data: &[u8], limit: usize) -> Option<String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data).take(limit as u64).read_to_end(&mut out).ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|c| char::from(*c)).collect()
}

/// `tEXt`, `zTXt` and `iTXt` chunks (any keyword but the writing software's), at most
/// [`MAX_TEXT`] bytes in all: compressed chunks could otherwise expand a small file without
/// bound.
fn png(bytes: &[u8]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut total = 0;
    let mut at = 8;
    while at + 8 <= bytes.len() && total < MAX_TEXT {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let kind = &bytes[at + 4..at + 8];
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(len)) else { break };
        let mut split = data.splitn(2, |b| *b == 0);
        let keyword = split.next().unwrap_or_default();
        let rest = split.next().unwrap_or_default();
        if keyword != b"Software" {
            let room = MAX_TEXT - total;
            let text = match kind {
                b"tEXt" => Some(latin1(&rest[..rest.len().min(room)])),
                b"zTXt" => rest.get(1..).and_then(|z| inflate(z, room)),
                b"iTXt" => itxt(rest, room),
                _ => None,
            };
            if let Some(t) = text {
                total += t.len() + 1;
                out.push(t);
            }
        }
        if kind == b"IEND" {
            break;
        }
        at += 12 + len;
    }
    out.join("\n")
}

/// An `iTXt` chunk after its keyword: compression flag and method, language tag, translated
/// keyword, then UTF-8 text (zlib-compressed when flagged).
fn itxt(rest: &[u8], limit: usize) -> Option<String> {
    let (flag, rest) = (rest.first()?, rest.get(2..)?);
    let mut parts = rest.splitn(3, |b| *b == 0);
    let (_lang, _translated, text) = (parts.next()?, parts.next()?, parts.next()?);
    if *flag == 1 {
        inflate(text, limit)
    } else {
        Some(String::from_utf8_lossy(&text[..text.len().min(limit)]).into_owned())
    }
}

/// Comment segments (`COM`) before the image data.
fn jpeg(bytes: &[u8]) -> String {
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

/// A one-page PDF of `lines` in a standard font (for samples, tests and benchmarks: what a
/// registry's or a bank's PDF holds, a text layer).
pub fn pdf_of_lines(lines: &[&str]) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 11.into()]),
        Operation::new("TL", vec![14.into()]),
        Operation::new("Td", vec![50.into(), 790.into()]),
    ];
    for line in lines {
        let latin1: Vec<u8> = line.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
        ops.push(Operation::new("Tj", vec![Object::String(latin1, lopdf::StringFormat::Literal)]));
        ops.push(Operation::new("T*", vec![]));
    }
    ops.push(Operation::new("ET", vec![]));
    let content = Content { operations: ops }.encode().unwrap_or_default();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1, "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = doc.save_to(&mut out);
    out
}

/// A 1×1 PNG carrying `text` in a `tEXt` chunk (what a scanning app that runs OCR writes): for
/// samples, tests and benchmarks.
pub fn png_with_text(text: &str) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunks: [(&[u8], Vec<u8>); 3] = [
        (b"IHDR", vec![0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]),
        (b"tEXt", format!("Description\0{text}").into_bytes()),
        (b"IEND", Vec::new()),
    ];
    for (kind, data) in chunks {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
        png.extend_from_slice(kind);
        png.extend_from_slice(&data);
        png.extend_from_slice(&[0, 0, 0, 0]);
    }
    png
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pdf_text_layer_is_read_line_by_line() {
        let pdf = pdf_of_lines(&["CERTIFICATE OF INCORPORATION", "Company number: 12345678", "Société Générale"]);
        let t = text(FileType::Pdf, &pdf).unwrap();
        let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        assert_eq!(lines, ["CERTIFICATE OF INCORPORATION", "Company number: 12345678", "Société Générale"], "{t:?}");
    }

    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    #[test]
    fn png_text_chunks_are_read() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Software\0GIMP"));
        png.extend(chunk(b"tEXt", b"Description\0PASSPORT"));
        png.extend(chunk(b"iTXt", "Comment\0\0\0en\0\0Jos\u{e9}".as_bytes()));
        png.extend(chunk(b"IEND", b""));
        png.extend(chunk(b"tEXt", b"After\0ignored"));
        assert_eq!(text(FileType::Png, &png).unwrap(), "PASSPORT\nJosé");
    }

    #[test]
    fn truncated_images_do_not_panic() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend([0xFF, 0xFF, 0xFF, 0xFF, b't', b'E', b'X', b't', 1]);
        assert_eq!(text(FileType::Png, &png).unwrap(), "");
        assert_eq!(text(FileType::Jpeg, &[0xFF, 0xD8, 0xFF, 0xFE, 0xFF]).unwrap(), "");
        assert_eq!(text(FileType::Jpeg, &[0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x00, 0xFF, 0xD9]).unwrap(), "");
    }

    #[test]
    fn compressed_text_is_bounded_in_all() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b'A'; 1_000_000]).unwrap();
        let bomb = z.finish().unwrap();
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for _ in 0..50 {
            let mut data = b"Comment\0\0".to_vec();
            data.extend_from_slice(&bomb);
            png.extend(chunk(b"zTXt", &data));
        }
        let t = text(FileType::Png, &png).unwrap();
        assert!(t.len() <= MAX_TEXT, "{}", t.len());
    }

    #[test]
    fn jpeg_comments_are_read() {
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0];
        jpg.extend([0xFF, 0xFE, 0x00, 0x0A]);
        jpg.extend(b"PASSPORT");
        jpg.extend([0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xFE, 0x00, 0x05, b'n', b'o', b'!']);
        assert_eq!(text(FileType::Jpeg, &jpg).unwrap(), "PASSPORT");
    }

    #[test]
    fn a_broken_pdf_is_refused_with_a_reason() {
        let e = text(FileType::Pdf, b"%PDF-1.7\nnot really").unwrap_err();
        assert!(e.starts_with("the PDF cannot be read"), "{e}");
    }
}
