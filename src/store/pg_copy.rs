//! Bulk loading into PostgreSQL with `COPY … FROM STDIN` (text format), for
//! `sev migrate` and `sev demo`: one round trip per table instead of one per
//! row, which is what makes 100k incidents / ~1M events load in seconds.
//!
//! Text format: columns separated by a tab, rows by a newline, NULL is `\N`,
//! and a backslash, tab, newline or carriage return inside a value is escaped
//! with a backslash — so every string arrives byte for byte as it was.

use postgres::Transaction;
use std::io::Write;

/// Rows of one table, encoded for `COPY … FROM STDIN`.
pub(super) struct Rows {
    buf: String,
    /// At the start of a row (no separator before the next value).
    fresh: bool,
}

impl Default for Rows {
    fn default() -> Rows {
        Rows {
            buf: String::new(),
            fresh: true,
        }
    }
}

impl Rows {
    fn sep(&mut self) {
        if !self.fresh {
            self.buf.push('\t');
        }
        self.fresh = false;
    }

    pub(super) fn int(&mut self, v: Option<i64>) -> &mut Rows {
        self.sep();
        match v {
            Some(n) => {
                use std::fmt::Write as _;
                let _ = write!(self.buf, "{n}");
            }
            None => self.buf.push_str("\\N"),
        }
        self
    }

    pub(super) fn boolean(&mut self, v: bool) -> &mut Rows {
        self.sep();
        self.buf.push(if v { 't' } else { 'f' });
        self
    }

    pub(super) fn text(&mut self, v: Option<&str>) -> &mut Rows {
        self.sep();
        match v {
            None => self.buf.push_str("\\N"),
            Some(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => self.buf.push_str("\\\\"),
                        '\t' => self.buf.push_str("\\t"),
                        '\n' => self.buf.push_str("\\n"),
                        '\r' => self.buf.push_str("\\r"),
                        c => self.buf.push(c),
                    }
                }
            }
        }
        self
    }

    pub(super) fn end(&mut self) {
        self.buf.push('\n');
        self.fresh = true;
    }

    /// Bytes encoded so far.
    pub(super) fn len(&self) -> usize {
        self.buf.len()
    }

    /// What is encoded so far, as COPY reads it.
    pub(super) fn bytes(&self) -> &[u8] {
        self.buf.as_bytes()
    }

    /// Forget what was sent (the allocation is kept for the next chunk).
    pub(super) fn clear(&mut self) {
        self.buf.clear();
        self.fresh = true;
    }

    /// Send the rows into `table (columns)` inside `tx`.
    pub(super) fn send(
        &self,
        tx: &mut Transaction<'_>,
        table: &str,
        columns: &str,
    ) -> Result<(), postgres::Error> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut w = tx.copy_in(format!("COPY {table} ({columns}) FROM STDIN").as_str())?;
        // A write error here is the connection failing; finish() reports it
        // as the server saw it.
        let _ = w.write_all(self.buf.as_bytes());
        w.finish().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::Rows;

    #[test]
    fn text_format_escapes_what_would_split_a_value_and_marks_null() {
        let mut r = Rows::default();
        r.int(Some(-7))
            .text(Some("a\\b\tc\nd\re"))
            .text(None)
            .int(None)
            .boolean(true);
        r.end();
        r.text(Some("\\N"));
        r.end();
        assert_eq!(r.buf, "-7\ta\\\\b\\tc\\nd\\re\t\\N\t\\N\tt\n\\\\N\n");
    }
}
