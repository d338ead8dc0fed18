//! A PNG's text: its `tEXt`, `zTXt` and `iTXt` chunks (any keyword but the writing
//! software's). A compressed chunk is inflated under the budgets: one that inflates past them
//! refuses the file, whatever text came before.

use super::MAX_TEXT;
use super::budget::{Budget, Subject};

/// The text chunks before `IEND`, joined by lines; at most [`MAX_TEXT`] bytes are kept.
pub(super) fn text(bytes: &[u8]) -> Result<String, String> {
    let mut budget = Budget::new(Subject::PngText);
    let mut out: Vec<String> = Vec::new();
    let mut kept = 0;
    let mut at = 8;
    while at + 8 <= bytes.len() {
        budget.check_time()?;
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let kind = &bytes[at + 4..at + 8];
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(len)) else { break };
        let mut split = data.splitn(2, |b| *b == 0);
        let keyword = split.next().unwrap_or_default();
        let rest = split.next().unwrap_or_default();
        if keyword != b"Software" {
            let room = MAX_TEXT.saturating_sub(kept);
            let text = match kind {
                b"tEXt" => Some(latin1(&rest[..rest.len().min(room)])),
                b"zTXt" => Some(inflate(&mut budget, rest.get(1..).unwrap_or_default(), room)?),
                b"iTXt" => itxt(&mut budget, rest, room)?,
                _ => None,
            };
            if let Some(t) = text.filter(|t| !t.is_empty()) {
                kept += t.len() + 1;
                out.push(t);
            }
        }
        if kind == b"IEND" {
            break;
        }
        at += 12 + len;
    }
    Ok(out.join("\n"))
}

/// A zlib-compressed text, inflated in full under the budgets; its first `keep` bytes kept.
fn inflate(budget: &mut Budget, data: &[u8], keep: usize) -> Result<String, String> {
    let kept = budget.inflate(flate2::read::ZlibDecoder::new(data), keep)?;
    Ok(String::from_utf8_lossy(&kept).into_owned())
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|c| char::from(*c)).collect()
}

/// An `iTXt` chunk after its keyword: compression flag and method, language tag, translated
/// keyword, then UTF-8 text (zlib-compressed when flagged).
fn itxt(budget: &mut Budget, rest: &[u8], keep: usize) -> Result<Option<String>, String> {
    let (Some(flag), Some(rest)) = (rest.first(), rest.get(2..)) else { return Ok(None) };
    let mut parts = rest.splitn(3, |b| *b == 0);
    let (Some(_lang), Some(_translated), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    if *flag == 1 {
        inflate(budget, text, keep).map(Some)
    } else {
        Ok(Some(String::from_utf8_lossy(&text[..text.len().min(keep)]).into_owned()))
    }
}
