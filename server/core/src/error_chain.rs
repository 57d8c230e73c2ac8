//! How an error and its causes are written to logs. Error types print only their own context (never
//! their source as well), so a chain reads once, outermost first: "Redis failed `run_write_jumps`: broken
//! pipe", not "broken pipe" three times.

use std::error::Error;
use std::fmt;

/// Displays an error followed by each of its sources, separated by `: `.
pub struct ErrorChain<'e>(pub &'e (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(formatter, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer context")]
    struct Outer {
        source: std::io::Error,
    }

    #[test]
    fn each_cause_appears_once() {
        let error = Outer {
            source: std::io::Error::other("connection refused"),
        };
        assert_eq!(
            ErrorChain(&error).to_string(),
            "outer context: connection refused"
        );
    }
}
