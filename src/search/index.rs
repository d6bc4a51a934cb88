//! Which distinct titles contain which characters: one bitmap per
//! character class, so "titles holding d, n and s" is three bitmaps ANDed.
//!
//! ASCII characters have a bitmap each; any other character shares one of
//! 64 bitmaps with the characters of the same code point modulo 64. A
//! shared bitmap can only let extra titles through (a superset), never drop
//! one, and the scorer decides those exactly.

const ASCII: usize = 128;
const CLASSES: usize = ASCII + 64;

fn class(c: char) -> usize {
    let n = c as usize;
    if n < ASCII { n } else { ASCII + n % 64 }
}

/// A growable bitmap.
#[derive(Clone, Default)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn full(n: usize) -> Bits {
        let mut b = Bits(vec![u64::MAX; n.div_ceil(64)]);
        if !n.is_multiple_of(64)
            && let Some(last) = b.0.last_mut()
        {
            *last = (1u64 << (n % 64)) - 1;
        }
        b
    }
    pub fn set(&mut self, i: usize) {
        let w = i / 64;
        if w >= self.0.len() {
            self.0.resize(w + 1, 0);
        }
        self.0[w] |= 1 << (i % 64);
    }
    pub fn clear(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }
    /// Keep only what `other` has too.
    pub fn and(&mut self, other: &Bits) {
        for (i, w) in self.0.iter_mut().enumerate() {
            *w &= other.0.get(i).copied().unwrap_or(0);
        }
    }
    /// The set positions, ascending.
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let b = w.trailing_zeros() as usize;
                    w &= w - 1;
                    wi * 64 + b
                })
            })
        })
    }
}

/// Per character class, the titles that contain it. Titles are only added
/// (a title no row uses any more is skipped by the caller, and dropped when
/// the corpus compacts).
#[derive(Default)]
pub struct CharIndex {
    classes: Vec<Bits>,
}

impl CharIndex {
    /// Record title number `slot` (lowercase).
    pub fn add(&mut self, slot: u32, title: &str) {
        if self.classes.is_empty() {
            self.classes = vec![Bits::default(); CLASSES];
        }
        for c in title.chars() {
            self.classes[class(c)].set(slot as usize);
        }
    }

    /// Titles (of the first `n`) that contain every character of `query`.
    pub fn containing_all(&self, query: &str, n: usize) -> Bits {
        let mut out = Bits::full(n);
        let mut seen = [false; CLASSES];
        for c in query.chars() {
            let k = class(c);
            if std::mem::replace(&mut seen[k], true) {
                continue;
            }
            match self.classes.get(k) {
                Some(b) => out.and(b),
                None => return Bits::new(n),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_titles_with_every_character_and_no_others() {
        let mut ix = CharIndex::default();
        for (i, t) in ["dns down", "disk full", "ünïcode dns", "sand"]
            .iter()
            .enumerate()
        {
            ix.add(i as u32, t);
        }
        let got: Vec<usize> = ix.containing_all("dns", 4).ones().collect();
        assert_eq!(got, vec![0, 2, 3]);
        let got: Vec<usize> = ix.containing_all("ü", 4).ones().collect();
        assert_eq!(got, vec![2]);
        assert_eq!(ix.containing_all("zz", 4).ones().count(), 0);
        assert_eq!(ix.containing_all("", 4).ones().count(), 4);
        assert_eq!(
            CharIndex::default().containing_all("a", 4).ones().count(),
            0
        );
    }

    #[test]
    fn bits_across_word_boundaries() {
        let mut b = Bits::new(130);
        for i in [0, 63, 64, 129] {
            b.set(i);
        }
        b.clear(63);
        assert_eq!(b.ones().collect::<Vec<_>>(), vec![0, 64, 129]);
        assert_eq!(Bits::full(130).ones().count(), 130);
    }
}
