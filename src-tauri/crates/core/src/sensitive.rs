//! [`Sensitive`] keeps a secret out of Debug, Display, logs and errors, and
//! has no `Serialize`, so it cannot end up in JSON or the database; it is
//! wiped from memory when dropped. [`protect_process`] keeps the secrets a
//! process holds out of core dumps and away from other processes.

use std::fmt;
use zeroize::Zeroize;

/// A secret value in memory. Prints as `‹secret›`; cannot be serialized;
/// overwritten with zeros when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Makes this process non-dumpable (no core file, no ptrace or
/// `/proc/<pid>/mem` by other processes of the user) and sets its core
/// size limit to zero: it holds passwords and unwrapped keys. Set
/// `CAIRN_ALLOW_CORE_DUMPS=1` to debug a crash.
pub fn protect_process() {
    if std::env::var_os("CAIRN_ALLOW_CORE_DUMPS").is_some() {
        return;
    }
    use rustix::process::{set_dumpable_behavior, setrlimit, DumpableBehavior, Resource, Rlimit};
    let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    let _ = setrlimit(Resource::Core, none);
}

impl<T: Zeroize> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(v: T) -> Self {
        Self(v)
    }
    /// The secret itself, for the one call that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹secret›")
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
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

    #[test]
    fn a_protected_process_is_not_dumpable_and_writes_no_core() {
        protect_process();
        let dumpable = rustix::process::dumpable_behavior().expect("prctl");
        assert_eq!(dumpable, rustix::process::DumpableBehavior::NotDumpable);
        let core = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
    }
}
