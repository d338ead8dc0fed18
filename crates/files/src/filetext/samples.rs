//! Files made for samples, tests and benchmarks: a PDF with a text layer, a PNG with a text
//! chunk, and the hostile files ([`bombs`]) the budgets refuse.

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A one-page PDF of `lines` in a standard font (for samples, tests and benchmarks: what a
/// registry's or a bank's PDF holds, a text layer).
pub fn pdf_of_lines(lines: &[&str]) -> Vec<u8> {
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
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
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
    png_of(&[(b"tEXt", format!("Description\0{text}").into_bytes())])
}

/// A 1×1 PNG with `chunks` between its header and end.
fn png_of(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let ihdr: (&[u8; 4], Vec<u8>) = (b"IHDR", vec![0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    let iend: (&[u8; 4], Vec<u8>) = (b"IEND", Vec::new());
    for (kind, data) in std::iter::once(&ihdr).chain(chunks).chain(std::iter::once(&iend)) {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
        png.extend_from_slice(*kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&[0, 0, 0, 0]);
    }
    png
}

/// Hostile files, each small on disk and huge once read, with the reason the reader gives:
/// the tests and the benchmark send them through the whole pipeline.
pub mod bombs {
    use super::*;

    const MIB: usize = 1024 * 1024;

    /// One hostile file.
    #[derive(Debug, Clone)]
    pub struct Bomb {
        pub filename: &'static str,
        pub bytes: Vec<u8>,
        /// What the document's `processingError` says.
        pub reason: &'static str,
    }

    /// The four kinds, one of each.
    pub fn all() -> Vec<Bomb> {
        vec![
            Bomb {
                filename: "content-bomb.pdf",
                bytes: content_pdf(),
                reason: "the PDF has a stream that inflates past 8 MiB; it was not read",
            },
            Bomb {
                filename: "operations-bomb.pdf",
                bytes: operations_pdf(),
                reason: "the PDF has more than 500000 content operations; it was not read",
            },
            Bomb {
                filename: "text-bomb.png",
                bytes: png_text(),
                reason: "the PNG's text inflates past 8 MiB; it was not read",
            },
            Bomb {
                filename: "object-stream-bomb.pdf",
                bytes: object_stream_pdf(),
                reason: "the PDF inflates past 16 MiB; it was not read",
            },
        ]
    }

    /// A page whose content stream (`0 0 m`, over and over) inflates to 64 MiB from ~70 KB.
    pub fn content_pdf() -> Vec<u8> {
        let ops = b"0 0 m\n".repeat(MIB / 6);
        raw_pdf(&flate_stream("", &zlib_of(&[(&ops, 64)])), &[])
    }

    /// A page of 1.2 million `0 0 m` operations: 7 MiB, within the inflate budgets.
    pub fn operations_pdf() -> Vec<u8> {
        let ops = b"0 0 m\n".repeat(MIB / 6);
        raw_pdf(&flate_stream("", &zlib_of(&[(&ops, 7)])), &[])
    }

    /// A PNG whose `zTXt` chunk inflates to 64 MiB.
    pub fn png_text() -> Vec<u8> {
        let mut chunk = b"Comment\0\0".to_vec();
        chunk.extend(zlib_of(&[(&vec![b'A'; MIB], 64)]));
        png_of(&[(b"zTXt", chunk)])
    }

    /// Three object streams, each an array of 3.7 million zeros (7 MiB): each within the
    /// stream budget, together past the file's. lopdf decodes and parses object streams as
    /// it loads the file.
    pub fn object_stream_pdf() -> Vec<u8> {
        let zeros = b"0 ".repeat(MIB / 2);
        let streams: Vec<Vec<u8>> = (0..3)
            .map(|i| {
                let header = format!("{} 0 [", 900 + i);
                let first = header.len() - 1;
                let z = zlib_of(&[(header.as_bytes(), 1), (&zeros, 7), (b"]", 1)]);
                flate_stream(&format!("/Type /ObjStm /N 1 /First {first}"), &z)
            })
            .collect();
        raw_pdf(b"<< /Length 5 >>\nstream\nBT ET\nendstream", &streams)
    }

    /// A stream object's body: `dict` entries, the Flate filter and the length, then `data`.
    fn flate_stream(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut o = format!("<< {dict} /Filter /FlateDecode /Length {} >>\nstream\n", data.len()).into_bytes();
        o.extend_from_slice(data);
        o.extend_from_slice(b"\nendstream");
        o
    }

    /// A one-page PDF written by hand (lopdf's writer rebuilds object streams): catalog,
    /// pages, page, its `content` object, a font, then the `extra` objects.
    fn raw_pdf(content: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
        let mut objects: Vec<&[u8]> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
              /Resources << /Font << /F1 5 0 R >> >> >>",
            content,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ];
        objects.extend(extra.iter().map(Vec::as_slice));
        let mut out = b"%PDF-1.5\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        let size = objects.len() + 1;
        out.extend_from_slice(
            format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        out
    }

    /// A zlib stream of each part repeated its number of times, made without compressing the
    /// whole: each part is deflated once and flushed to a byte boundary with a reset
    /// dictionary, so its blocks can be repeated as they are.
    pub fn zlib_of(parts: &[(&[u8], usize)]) -> Vec<u8> {
        let mut out = vec![0x78, 0xDA];
        let (mut a, mut b) = (1u32, 0u32);
        for (data, times) in parts {
            let mut c = flate2::Compress::new(flate2::Compression::best(), false);
            let mut block = Vec::with_capacity(data.len() + 1024);
            // The output has room for all of it: a full flush leaves nothing behind.
            let _ = c.compress_vec(data, &mut block, flate2::FlushCompress::Full);
            for _ in 0..*times {
                out.extend_from_slice(&block);
                (a, b) = adler32(a, b, data);
            }
        }
        // An empty final block, then the checksum.
        out.extend_from_slice(&[0x03, 0x00]);
        out.extend_from_slice(&((b << 16) | a).to_be_bytes());
        out
    }

    fn adler32(mut a: u32, mut b: u32, data: &[u8]) -> (u32, u32) {
        const MOD: u32 = 65_521;
        // 5552 bytes is the most that can be summed before the sums could overflow.
        for run in data.chunks(5552) {
            for &x in run {
                a += u32::from(x);
                b += a;
            }
            a %= MOD;
            b %= MOD;
        }
        (a, b)
    }
}
