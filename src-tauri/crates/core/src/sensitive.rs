//! [`Sensitive`] keeps a secret out of Debug, Display, logs and errors, and
//! has no `Serialize`, so it cannot end up in JSON or the database.

use std::fmt;

/// A secret value in memory. Prints as `‹secret›`; cannot be serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(v: T) -> Self {
        Self(v)
    }
    /// The secret itself, for the one call that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹secret›")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹secret›")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_never_print() {
        let s = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{s}"), "‹secret›");
        assert_eq!(format!("{s:?}"), "‹secret›");
        assert_eq!(format!("{:?}", Some(&s)), "Some(‹secret›)");
        assert_eq!(s.expose(), "hunter2");
    }
}
