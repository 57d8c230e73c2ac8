//! Boxing a future where it is made (the node's connections and handlers, and the run steps that box
//! the rare, large ones). `Box::pin(future)` makes the future first (on the stack) and then
//! copies all of it into the allocation: for a message's handling, kilobytes per message, whatever
//! state the future is in. Allocated first, the future can be written straight into its box.

use std::future::Future;
use std::pin::Pin;

/// `make()`'s future, pinned in a box allocated before it is made, so the compiler can build it in
/// place instead of copying it in.
#[inline(always)]
pub fn boxed<F: Future>(make: impl FnOnce() -> F) -> Pin<Box<F>> {
    let slot = Box::new_uninit();
    Box::into_pin(Box::write(slot, make()))
}

#[cfg(test)]
mod tests {
    use super::boxed;

    #[tokio::test]
    async fn a_future_boxed_in_place_runs_to_its_answer_with_its_state() {
        let start = 7u64;
        let future = boxed(|| async move {
            // State kept across an await, as a handler's is.
            let state = [start; 64];
            tokio::task::yield_now().await;
            state.iter().sum::<u64>()
        });
        assert_eq!(future.await, 7 * 64);
    }
}
