//! Process limits. A node holds one file descriptor per connection, and the usual soft limit (1,024) is
//! far below what one node serves, so the server (and the load tester) raise the soft limit to the hard
//! limit at start. Raising the hard limit itself needs privileges the process usually lacks.
//!
//! Unsafe code (with `allocator`, the only in the workspace): two libc calls with no safe wrapper in
//! the standard library.
#![allow(unsafe_code)]

/// Raises the soft open-file limit to the hard limit and returns the limit now in force.
pub fn raise_fd_limit() -> std::io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the valid, exclusively borrowed struct.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the valid struct passed by reference.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        limit = raised;
    }
    Ok(limit.rlim_cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let now = raise_fd_limit().expect("getrlimit works");
        assert!(now >= 1);
        assert_eq!(raise_fd_limit().expect("idempotent"), now);
    }
}
