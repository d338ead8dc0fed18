//! The text inside an uploaded file: a PDF's text layer (lopdf), a PNG's text chunks, a
//! JPEG's comments. No OCR: a scan without a text layer has no text, and processing says so.
//!
//! A read runs under hard budgets ([`budget`]): bytes inflated per stream ([`MAX_STREAM`])
//! and per file ([`MAX_INFLATED`]), content operations and operands ([`MAX_OPERATIONS`],
//! [`MAX_OPERANDS`]), the first [`MAX_PAGES`] pages, at most [`MAX_TEXT`] of text kept, and
//! [`MAX_TIME`]. A file past a budget is refused with a reason an analyst can read. These
//! bound what this code and lopdf allocate for the file's compressed parts; what no budget
//! here can see (e.g. a huge page tree) is bounded by the child process the server reads
//! documents in ([`crate::docreader`]).

mod budget;
mod content;
mod jpeg;
mod pdf;
mod png;
pub mod samples;

use fml_domain::document::FileType;

pub use budget::{MAX_INFLATED, MAX_OPERANDS, MAX_OPERATIONS, MAX_STREAM, MAX_TIME};
pub use samples::{pdf_of_lines, png_with_text};

/// Pages read from a PDF.
pub const MAX_PAGES: u32 = 20;
/// Text kept per file.
pub const MAX_TEXT: usize = 200_000;

/// The file's text, or why it cannot be read. Runs in the calling thread: the server calls it
/// in a child process ([`crate::docreader`]); tests call it directly.
pub fn text(file_type: FileType, bytes: &[u8]) -> Result<String, String> {
    let mut out = match file_type {
        FileType::Pdf => pdf::text(bytes)?,
        FileType::Png => png::text(bytes)?,
        FileType::Jpeg => jpeg::text(bytes),
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

#[cfg(test)]
mod tests;
