//! Counting a PDF content stream's operations and operands without parsing it into objects:
//! a page with millions of tiny operations is refused from its count, before lopdf builds an
//! object for each (which is what took gigabytes).

/// What one content stream holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Count {
    /// Operators (`BT`, `Tj`, `m`, …).
    pub operations: usize,
    /// Numbers, strings, names, booleans and array or dictionary elements.
    pub operands: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// Counts `data`'s tokens, stopping once either count passes its `limit` (the caller refuses
/// the file then, so the rest need not be read).
pub(super) fn count(data: &[u8], limit: Count) -> Count {
    let mut c = Count::default();
    let mut i = 0;
    while i < data.len() && c.operations <= limit.operations && c.operands <= limit.operands {
        let b = data[i];
        if is_space(b) {
            i += 1;
            continue;
        }
        match b {
            b'%' => i = skip_until(data, i, |b| b == b'\n' || b == b'\r'),
            b'(' => {
                i = skip_literal(data, i);
                c.operands += 1;
            }
            // A dictionary's keys and values are counted as they come.
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                i = skip_until(data, i, |b| b == b'>') + 1;
                c.operands += 1;
            }
            b'/' => {
                i = skip_regular(data, i + 1);
                c.operands += 1;
            }
            b if is_delimiter(b) => i += 1,
            _ => {
                let start = i;
                i = skip_regular(data, i);
                let token = &data[start..i];
                let operand = matches!(token[0], b'0'..=b'9' | b'+' | b'-' | b'.')
                    || matches!(token, b"true" | b"false" | b"null");
                if operand {
                    c.operands += 1;
                } else {
                    c.operations += 1;
                    if token == b"ID" {
                        i = skip_inline_image(data, i);
                        c.operations += 1;
                    }
                }
            }
        }
    }
    c
}

fn skip_until(data: &[u8], from: usize, stop: impl Fn(u8) -> bool) -> usize {
    data[from..].iter().position(|b| stop(*b)).map_or(data.len(), |p| from + p)
}

fn skip_regular(data: &[u8], from: usize) -> usize {
    skip_until(data, from, |b| is_space(b) || is_delimiter(b))
}

/// Past a `( … )` string: balanced parentheses, backslash escapes.
fn skip_literal(data: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    data.len()
}

/// Past an inline image's data and its `EI` (a whitespace-delimited `EI`).
fn skip_inline_image(data: &[u8], from: usize) -> usize {
    let mut i = from + 1;
    while i + 1 < data.len() {
        let delimited_before = i == 0 || is_space(data[i - 1]);
        let delimited_after = data.get(i + 2).is_none_or(|b| is_space(*b));
        if &data[i..i + 2] == b"EI" && delimited_before && delimited_after {
            return i + 2;
        }
        i += 1;
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_LIMIT: Count = Count { operations: usize::MAX, operands: usize::MAX };

    #[test]
    fn operators_and_operands_are_counted() {
        let c = count(b"BT /F1 12 Tf 50 790 Td (a \\) (b) c) Tj [(x) -20 (y)] TJ ET % m m m\n q", NO_LIMIT);
        assert_eq!(c, Count { operations: 7, operands: 8 });
        let c = count(b"/P <</MCID 0>> BDC <48656c6c6f> Tj EMC true false null d0", NO_LIMIT);
        assert_eq!(c, Count { operations: 4, operands: 7 });
    }

    #[test]
    fn inline_image_data_is_not_counted() {
        let c = count(b"q BI /W 2 /H 1 /BPC 8 ID \x00m m EIm m\xFF EI Q", NO_LIMIT);
        assert_eq!(c, Count { operations: 5, operands: 6 });
    }

    #[test]
    fn counting_stops_past_the_limit() {
        let page = b"0 0 m\n".repeat(100_000);
        let c = count(&page, Count { operations: 10, operands: usize::MAX });
        assert_eq!(c.operations, 11);
        assert_eq!(count(&page, NO_LIMIT), Count { operations: 100_000, operands: 200_000 });
    }

    #[test]
    fn unterminated_tokens_end_the_stream() {
        assert_eq!(count(b"(never closed Tj", NO_LIMIT).operands, 1);
        assert_eq!(count(b"<abc", NO_LIMIT).operands, 1);
        assert_eq!(count(b"BI ID \x01\x02", NO_LIMIT).operations, 3);
    }
}
