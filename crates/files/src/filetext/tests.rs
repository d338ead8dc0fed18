//! The readers on ordinary files, and each budget on a file made to break it.

use super::samples::bombs;
use super::*;

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    c.extend_from_slice(&[0, 0, 0, 0]);
    c
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

#[test]
fn a_pdf_text_layer_is_read_line_by_line() {
    let pdf = pdf_of_lines(&["CERTIFICATE OF INCORPORATION", "Company number: 12345678", "Société Générale"]);
    let t = text(FileType::Pdf, &pdf).unwrap();
    let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(lines, ["CERTIFICATE OF INCORPORATION", "Company number: 12345678", "Société Générale"], "{t:?}");
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
    assert_eq!(text(FileType::Png, &png_with_text("PASSPORT")).unwrap(), "PASSPORT");
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
fn compressed_text_within_budget_is_cut_to_max_text() {
    let mut data = b"Comment\0\0".to_vec();
    data.extend_from_slice(&zlib(&vec![b'A'; 1_000_000]));
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"zTXt", &data));
    png.extend(chunk(b"zTXt", &data));
    let t = text(FileType::Png, &png).unwrap();
    assert_eq!(t.len(), MAX_TEXT);
}

#[test]
fn png_text_chunks_add_up_to_the_files_budget() {
    let mut data = b"Comment\0\0".to_vec();
    data.extend_from_slice(&zlib(&vec![b'A'; 1_000_000]));
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for _ in 0..17 {
        png.extend(chunk(b"zTXt", &data));
    }
    assert_eq!(text(FileType::Png, &png).unwrap_err(), "the PNG's text inflates past 16 MiB; it was not read");
}

#[test]
fn a_png_with_a_huge_text_chunk_is_refused() {
    let bomb = bombs::png_text();
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    assert_eq!(text(FileType::Png, &bomb).unwrap_err(), "the PNG's text inflates past 8 MiB; it was not read");
    // The same in an iTXt chunk.
    let mut data = b"Comment\0\x01\0en\0\0".to_vec();
    data.extend(bombs::zlib_of(&[(&[b'A'; 4096], 4096)]));
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"iTXt", &data));
    assert_eq!(text(FileType::Png, &png).unwrap_err(), "the PNG's text inflates past 8 MiB; it was not read");
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

#[test]
fn the_bombs_are_valid_zlib_of_the_size_they_claim() {
    use std::io::Read;
    let z = bombs::zlib_of(&[(b"ab", 3), (b"cde", 2)]);
    let mut out = String::new();
    flate2::read::ZlibDecoder::new(&z[..]).read_to_string(&mut out).unwrap();
    assert_eq!(out, "abababcdecde");
}

#[test]
fn a_pdf_whose_content_inflates_past_the_budget_is_refused() {
    let bomb = bombs::content_pdf();
    assert!(bomb.len() < 150_000, "{}", bomb.len());
    let e = text(FileType::Pdf, &bomb).unwrap_err();
    assert_eq!(e, "the PDF has a stream that inflates past 8 MiB; it was not read");
}

#[test]
fn a_pdf_with_millions_of_tiny_operations_is_refused() {
    let e = text(FileType::Pdf, &bombs::operations_pdf()).unwrap_err();
    assert_eq!(e, "the PDF has more than 500000 content operations; it was not read");
}

#[test]
fn object_streams_that_inflate_past_the_files_budget_are_refused_before_lopdf_loads_them() {
    let bomb = bombs::object_stream_pdf();
    assert!(bomb.len() < 150_000, "{}", bomb.len());
    let e = text(FileType::Pdf, &bomb).unwrap_err();
    assert_eq!(e, "the PDF inflates past 16 MiB; it was not read");
}

#[test]
fn nested_compression_is_charged_layer_by_layer() {
    // `/Filter [/FlateDecode /FlateDecode]`: 40 KB that inflate to 2 MB that inflate to 64 MiB.
    let inner = bombs::zlib_of(&[(&b"0 0 m\n".repeat(10_000), 1100)]);
    let outer = zlib(&inner);
    let mut doc = lopdf::Document::load_mem(&pdf_of_lines(&["x"])).unwrap();
    let stream = lopdf::Stream::new(
        lopdf::dictionary! { "Filter" => vec![lopdf::Object::from("FlateDecode"), "FlateDecode".into()] },
        outer,
    )
    .with_compression(false);
    doc.add_object(stream);
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    assert_eq!(
        text(FileType::Pdf, &pdf).unwrap_err(),
        "the PDF has a stream that inflates past 8 MiB; it was not read"
    );
}

#[test]
fn a_pdf_within_the_budgets_still_reads_after_its_streams_are_counted() {
    // Several ordinary compressed streams: counted by the pre-scan, read by lopdf.
    let mut doc = lopdf::Document::load_mem(&pdf_of_lines(&["Company number: 12345678"])).unwrap();
    doc.compress();
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    assert!(text(FileType::Pdf, &pdf).unwrap().contains("Company number: 12345678"));
}
#[test]
fn the_bombs_are_small_files() {
    for b in bombs::all() {
        assert!(b.bytes.len() < 150_000, "{}: {}", b.filename, b.bytes.len());
    }
}
