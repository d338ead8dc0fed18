//! The budgets one read of a file runs under, and the bounded inflater that charges them.
//! Every refusal is a sentence an analyst reads on the document (`processingError`).

use std::io::Read;
use std::time::{Duration, Instant};

/// Bytes one compressed stream (or PNG text chunk) may inflate to.
pub const MAX_STREAM: usize = 8 * 1024 * 1024;
/// Bytes all of a file's compressed streams may inflate to together.
pub const MAX_INFLATED: usize = 16 * 1024 * 1024;
/// Content-stream operations (operators: `Tj`, `m`, `re`, …) in one PDF.
pub const MAX_OPERATIONS: usize = 500_000;
/// Content-stream operands (numbers, strings, names, array elements) in one PDF.
pub const MAX_OPERANDS: usize = 2_000_000;
/// Wall time one read may take in-process (the child reader has its own, longer, limits).
pub const MAX_TIME: Duration = Duration::from_secs(8);

const MIB: usize = 1024 * 1024;

/// What is being read, as the reasons name it ("the PDF", "the PNG's text").
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject {
    Pdf,
    PngText,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Self::Pdf => "the PDF",
            Self::PngText => "the PNG's text",
        }
    }
}

/// What one read has spent so far.
#[derive(Debug)]
pub(super) struct Budget {
    subject: Subject,
    inflated: usize,
    operations: usize,
    operands: usize,
    deadline: Instant,
}

impl Budget {
    pub(super) fn new(subject: Subject) -> Self {
        Self { subject, inflated: 0, operations: 0, operands: 0, deadline: Instant::now() + MAX_TIME }
    }

    /// Inflated bytes the file may still produce.
    pub(super) fn inflated_left(&self) -> usize {
        MAX_INFLATED - self.inflated
    }

    /// Charges `n` inflated bytes to the file.
    pub(super) fn charge_inflated(&mut self, n: usize) -> Result<(), String> {
        if n > self.inflated_left() {
            return Err(self.file_too_large());
        }
        self.inflated += n;
        Ok(())
    }

    /// Charges one stream's inflated size: past [`MAX_STREAM`] the stream alone is refused,
    /// past what is left of [`MAX_INFLATED`] the file is.
    pub(super) fn charge_stream(&mut self, n: usize) -> Result<(), String> {
        if n > MAX_STREAM {
            return Err(self.stream_too_large());
        }
        self.charge_inflated(n)
    }

    /// The refusal for output that went past `limit` (what the stream was allowed): the
    /// stream's own budget, or what was left of the file's.
    pub(super) fn past(&self, limit: usize) -> String {
        if limit == MAX_STREAM { self.stream_too_large() } else { self.file_too_large() }
    }

    pub(super) fn file_too_large(&self) -> String {
        format!("{} inflates past {} MiB; it was not read", self.subject.name(), MAX_INFLATED / MIB)
    }

    pub(super) fn stream_too_large(&self) -> String {
        match self.subject {
            Subject::Pdf => {
                format!("the PDF has a stream that inflates past {} MiB; it was not read", MAX_STREAM / MIB)
            }
            Subject::PngText => format!("the PNG's text inflates past {} MiB; it was not read", MAX_STREAM / MIB),
        }
    }

    /// Charges a page's content operators and operands.
    pub(super) fn charge_content(&mut self, operations: usize, operands: usize) -> Result<(), String> {
        self.operations = self.operations.saturating_add(operations);
        self.operands = self.operands.saturating_add(operands);
        if self.operations > MAX_OPERATIONS {
            return Err(format!("the PDF has more than {MAX_OPERATIONS} content operations; it was not read"));
        }
        if self.operands > MAX_OPERANDS {
            return Err(format!("the PDF has more than {MAX_OPERANDS} content operands; it was not read"));
        }
        Ok(())
    }

    /// Operations and operands the file may still have: a page's count stops there.
    pub(super) fn content_left(&self) -> (usize, usize) {
        (MAX_OPERATIONS.saturating_sub(self.operations), MAX_OPERANDS.saturating_sub(self.operands))
    }

    /// Fails once the read has taken [`MAX_TIME`].
    pub(super) fn check_time(&self) -> Result<(), String> {
        if Instant::now() > self.deadline {
            return Err(format!(
                "reading {} took longer than {} s; it was not read",
                self.subject.name(),
                MAX_TIME.as_secs()
            ));
        }
        Ok(())
    }

    /// Inflates `reader` (a zlib decoder, or a chain of them) under the budgets, keeping its
    /// first `keep` bytes and charging all of them. A corrupt stream ends where it breaks, as
    /// PDF readers treat it; only the bytes it produced count.
    pub(super) fn inflate(&mut self, reader: impl Read, keep: usize) -> Result<Vec<u8>, String> {
        let n = self.measure(reader, keep)?;
        self.charge_stream(n.1)?;
        Ok(n.0)
    }

    /// Like [`Self::inflate`] without charging: the kept bytes and how many there were in
    /// all (stopping one past the stream's budget).
    pub(super) fn measure(&self, reader: impl Read, keep: usize) -> Result<(Vec<u8>, usize), String> {
        let limit = MAX_STREAM.min(self.inflated_left());
        let mut kept = Vec::with_capacity(keep.min(64 * 1024));
        let mut total = 0usize;
        let mut buf = vec![0u8; 64 * 1024];
        let mut reader = reader.take((limit as u64).saturating_add(1));
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if kept.len() < keep {
                let room = keep - kept.len();
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            total += n;
        }
        if total > limit {
            return Err(self.past(limit));
        }
        Ok((kept, total))
    }
}

/// A zlib stream header (RFC 1950): deflate, a window of at most 32 KiB, a valid check.
pub(super) fn is_zlib_header(b: &[u8]) -> bool {
    match b {
        [cmf, flg, ..] => cmf & 0x0F == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    #[test]
    fn a_stream_past_its_budget_is_refused_without_being_kept() {
        let bomb = zlib(&vec![b'0'; MAX_STREAM + 1]);
        let mut b = Budget::new(Subject::Pdf);
        let e = b.inflate(flate2::read::ZlibDecoder::new(&bomb[..]), 16).unwrap_err();
        assert_eq!(e, "the PDF has a stream that inflates past 8 MiB; it was not read");
    }

    #[test]
    fn streams_add_up_to_the_files_budget() {
        let part = zlib(&vec![b'0'; 6 * MIB]);
        let mut b = Budget::new(Subject::Pdf);
        for _ in 0..2 {
            assert_eq!(b.inflate(flate2::read::ZlibDecoder::new(&part[..]), 4).unwrap(), b"0000");
        }
        let e = b.inflate(flate2::read::ZlibDecoder::new(&part[..]), 4).unwrap_err();
        assert_eq!(e, "the PDF inflates past 16 MiB; it was not read");
    }

    #[test]
    fn a_corrupt_stream_counts_what_it_produced() {
        let mut z = zlib(b"hello world");
        z.truncate(z.len() - 6);
        let mut b = Budget::new(Subject::PngText);
        let kept = b.inflate(flate2::read::ZlibDecoder::new(&z[..]), 100).unwrap();
        assert!(b"hello world".starts_with(&kept), "{kept:?}");
        assert_eq!(b.inflate(flate2::read::ZlibDecoder::new(&b"not zlib"[..]), 10).unwrap(), b"");
    }

    #[test]
    fn content_budgets_name_what_ran_out() {
        let mut b = Budget::new(Subject::Pdf);
        assert!(b.charge_content(MAX_OPERATIONS, 0).is_ok());
        assert_eq!(
            b.charge_content(1, 0).unwrap_err(),
            "the PDF has more than 500000 content operations; it was not read"
        );
        let mut b = Budget::new(Subject::Pdf);
        assert!(b.charge_content(0, MAX_OPERANDS + 1).unwrap_err().contains("more than 2000000 content operands"));
    }

    #[test]
    fn zlib_headers_are_recognised() {
        assert!(is_zlib_header(&zlib(b"x")));
        assert!(!is_zlib_header(b"BT /F1"));
        assert!(!is_zlib_header(b"x"));
    }
}
