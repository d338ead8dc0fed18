//! A PDF's text layer, read under the budgets in three steps:
//!
//! 1. a pre-scan of the raw file: every `stream … endstream` body that is zlib (or raw
//!    deflate, as lopdf retries it) is inflated without being kept, layer after layer, and
//!    charged — so a stream or object stream that would inflate past its budget refuses the
//!    file before lopdf decodes anything (lopdf decodes object streams while it loads);
//! 2. lopdf loads the file, itself bounded per stream as a second guard (other filters,
//!    such as LZW, are only bounded there);
//! 3. page by page, the decoded content is charged and its operations counted before lopdf
//!    parses it into objects and extracts the text.

use lopdf::{DecompressError, Document, LoadOptions};

use super::budget::{Budget, MAX_STREAM, Subject, is_zlib_header};
use super::content::{self, Count};
use super::{MAX_PAGES, MAX_TEXT};

/// Filters lopdf applies to one stream at most; deeper nesting is not followed here either.
const MAX_LAYERS: usize = 16;

pub(super) fn text(bytes: &[u8]) -> Result<String, String> {
    let mut budget = Budget::new(Subject::Pdf);
    prescan(bytes, &mut budget)?;
    let options = LoadOptions { max_decompressed_size: Some(MAX_STREAM), ..LoadOptions::default() };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match over_limit(&e) {
        true => stream_too_large(),
        false => format!("the PDF cannot be read: {e}"),
    })?;
    budget.check_time()?;
    if doc.is_encrypted() {
        return Err("the PDF is encrypted".to_owned());
    }
    let pages: Vec<(u32, lopdf::ObjectId)> = doc.get_pages().into_iter().take_while(|(n, _)| *n <= MAX_PAGES).collect();
    if pages.is_empty() {
        return Err("the PDF has no pages".to_owned());
    }
    let mut decoded = Budget::new(Subject::Pdf);
    let mut out = String::new();
    for (number, id) in pages {
        budget.check_time()?;
        // Content that does not decode for another reason is that page's loss, not the file's.
        let limit = MAX_STREAM.min(decoded.inflated_left());
        let data = match doc.get_page_content_with_limit(id, limit) {
            Ok(d) => d,
            Err(e) if over_limit(&e) => return Err(decoded.past(limit)),
            Err(_) => continue,
        };
        decoded.charge_inflated(data.len())?;
        let (operations, operands) = budget.content_left();
        let c = content::count(&data, Count { operations, operands });
        budget.charge_content(c.operations, c.operands)?;
        drop(data);
        // A page whose fonts lopdf cannot decode is skipped rather than failing the document.
        match doc.extract_text_with_limit(&[number], MAX_STREAM) {
            Ok(t) => {
                out.push_str(&t);
                out.push('\n');
            }
            Err(e) if over_limit(&e) => return Err(stream_too_large()),
            Err(_) => {}
        }
        if out.len() > MAX_TEXT {
            break;
        }
    }
    Ok(out)
}

fn over_limit(e: &lopdf::Error) -> bool {
    matches!(e, lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }))
}

fn stream_too_large() -> String {
    Budget::new(Subject::Pdf).stream_too_large()
}

/// Charges every stream body of the raw file, inflated (and re-inflated while the output is
/// itself zlib, as `/Filter [/FlateDecode /FlateDecode]` would be), without keeping it.
fn prescan(bytes: &[u8], budget: &mut Budget) -> Result<(), String> {
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"stream") {
        let keyword = at + found;
        at = keyword + b"stream".len();
        if bytes[..keyword].ends_with(b"end") {
            continue;
        }
        let start = match &bytes[at..] {
            [b'\r', b'\n', ..] => at + 2,
            [b'\n' | b'\r', ..] => at + 1,
            _ => continue,
        };
        let end = find(&bytes[start..], b"endstream").map_or(bytes.len(), |e| start + e);
        budget.check_time()?;
        charge_layers(&bytes[start..end], budget)?;
        at = end;
    }
    Ok(())
}

fn charge_layers(body: &[u8], budget: &mut Budget) -> Result<(), String> {
    use flate2::read::{DeflateDecoder, ZlibDecoder};
    use std::io::Read;
    let (mut head, n) = budget.measure(ZlibDecoder::new(body), 2)?;
    if n == 0 {
        // lopdf reads a stream whose zlib header or checksum is broken as raw deflate.
        if body.len() > 2 {
            let (_, n) = budget.measure(DeflateDecoder::new(&body[2..]), 0)?;
            budget.charge_stream(n)?;
        }
        return Ok(());
    }
    budget.charge_stream(n)?;
    let mut layers = 1;
    while is_zlib_header(&head) && layers < MAX_LAYERS {
        layers += 1;
        let mut reader: Box<dyn Read> = Box::new(ZlibDecoder::new(body));
        for _ in 1..layers {
            reader = Box::new(ZlibDecoder::new(reader));
        }
        let (h, n) = budget.measure(reader, 2)?;
        budget.charge_stream(n)?;
        head = h;
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
