//! The impact × urgency → priority matrix (ITIL / ServiceNow by default).

use super::{Impact, Priority, Urgency};
use serde::{Deserialize, Serialize};

/// Rows are impact (high, medium, low), columns urgency (high, medium, low).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityMatrix(pub [[Priority; 3]; 3]);

impl Default for PriorityMatrix {
    fn default() -> Self {
        use Priority::*;
        PriorityMatrix([[P1, P2, P3], [P2, P3, P4], [P3, P4, P5]])
    }
}

fn index3<T: Copy + PartialEq>(all: &[T], v: T) -> usize {
    all.iter().position(|x| *x == v).unwrap_or(1)
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Impact, urgency: Urgency) -> Priority {
        self.0[index3(Impact::ALL, impact)][index3(Urgency::ALL, urgency)]
    }
    pub fn set(&mut self, impact: Impact, urgency: Urgency, p: Priority) {
        self.0[index3(Impact::ALL, impact)][index3(Urgency::ALL, urgency)] = p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Impact as I;
    use Priority::*;
    use Urgency as U;

    #[test]
    fn default_is_the_itil_matrix() {
        let m = PriorityMatrix::default();
        let cases = [
            (I::High, U::High, P1),
            (I::High, U::Medium, P2),
            (I::Medium, U::High, P2),
            (I::High, U::Low, P3),
            (I::Medium, U::Medium, P3),
            (I::Low, U::High, P3),
            (I::Medium, U::Low, P4),
            (I::Low, U::Medium, P4),
            (I::Low, U::Low, P5),
        ];
        for (i, u, p) in cases {
            assert_eq!(m.priority(i, u), p, "{i}/{u}");
        }
    }

    #[test]
    fn matrix_is_configurable() {
        let mut m = PriorityMatrix::default();
        m.set(I::Low, U::Low, P4);
        assert_eq!(m.priority(I::Low, U::Low), P4);
        assert_eq!(m.priority(I::High, U::High), P1);
    }
}
