//! The bytes of the group commit's queued entries (`batch`), kept where a batch can be sent from
//! without copying them together.
//!
//! Each task writes its entry's commands into the queue's buffer as it queues them, in chunks of at
//! most a batch's entries ([`super::batch::MAX_ENTRIES`]), and the batch task sends a chunk as it is.
//! Gathering each entry in a buffer of its own and copying them into one request cost a jump's
//! checkpoint a read and a write of memory the core last touched a batch's worth of work ago (on a
//! busy node, from memory; BENCHMARKS.md, stop 42). A batch that is not a whole chunk (a task queued
//! more while the batch task took its entries, an entry timed out waiting, entries lost with a batch
//! task that panicked) is still sent whole and right, by copying.

use std::collections::VecDeque;

/// Buffers of written batches kept for later chunks: a chunk's capacity is kept, not grown again
/// for every batch.
const SPARE_BUFFERS: usize = 4;

/// Where an entry's bytes are in the stream of every byte queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    /// The offset of its first byte.
    pub(super) start: u64,
    /// Its bytes.
    pub(super) len: usize,
}

impl Span {
    fn end(self) -> u64 {
        self.start + self.len as u64
    }
}

/// The bytes of the entries queued and not yet sent, in queue order.
#[derive(Debug)]
pub(super) struct Gathered {
    chunks: VecDeque<Chunk>,
    spare: Vec<Vec<u8>>,
    /// Where the next byte queued goes in the stream.
    end: u64,
    /// Entries per chunk at most: a batch's.
    per_chunk: usize,
}

/// Consecutive bytes of the stream: the entries of one batch to come.
#[derive(Debug)]
struct Chunk {
    bytes: Vec<u8>,
    /// The stream offset of `bytes[0]`.
    base: u64,
    /// Entries whose bytes are here, as far as a chunk's size is counted.
    entries: usize,
}

impl Chunk {
    fn end(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }

    fn holds(&self, span: Span) -> bool {
        self.base <= span.start && span.end() <= self.end()
    }
}

impl Gathered {
    /// No bytes yet; chunks of `per_chunk` entries at most.
    pub(super) fn new(per_chunk: usize) -> Gathered {
        Gathered {
            chunks: VecDeque::new(),
            spare: Vec::new(),
            end: 0,
            per_chunk,
        }
    }

    /// Queues an entry's `bytes`: where they are.
    pub(super) fn push(&mut self, bytes: &[u8]) -> Span {
        let span = Span {
            start: self.end,
            len: bytes.len(),
        };
        match self.chunks.back_mut() {
            Some(chunk) if chunk.entries < self.per_chunk => {
                chunk.bytes.extend_from_slice(bytes);
                chunk.entries += 1;
            }
            _ => {
                let mut chunk = self.spare.pop().unwrap_or_default();
                chunk.extend_from_slice(bytes);
                self.chunks.push_back(Chunk {
                    bytes: chunk,
                    base: span.start,
                    entries: 1,
                });
            }
        }
        self.end = span.end();
        span
    }

    /// The bytes of the entries at `spans` (taken in queue order), one after another, to be sent as
    /// one request; the bytes before and among theirs (entries not sent) are dropped with them.
    /// `None` if some entry's bytes are not here: a bug, which fails the batch.
    pub(super) fn take(&mut self, spans: &[Span]) -> Option<Vec<u8>> {
        let (first, last) = (spans.first()?, spans.last()?);
        let total: usize = spans.iter().map(|span| span.len).sum();
        if total == 0 {
            return Some(Vec::new());
        }
        // Chunks wholly before the first entry hold entries no batch will send.
        while let Some(front) = self.chunks.front()
            && front.end() <= first.start
        {
            self.drop_front();
        }
        let contiguous = spans.windows(2).all(|pair| pair[0].end() == pair[1].start);
        let front = self.chunks.front_mut()?;
        if contiguous && front.base == first.start && last.end() <= front.end() {
            let taken = usize::try_from(last.end() - front.base).ok()?;
            if taken == front.bytes.len() {
                // The common case: the batch is the whole chunk.
                return self.chunks.pop_front().map(|chunk| chunk.bytes);
            }
            // The chunk's first entries: the few queued after them move to a buffer of their own.
            let mut rest = self.spare.pop().unwrap_or_default();
            rest.extend_from_slice(front.bytes.get(taken..)?);
            front.bytes.truncate(taken);
            front.base = last.end();
            front.entries = front.entries.saturating_sub(spans.len());
            return Some(std::mem::replace(&mut front.bytes, rest));
        }
        let mut bytes = Vec::with_capacity(total);
        for span in spans.iter().filter(|span| span.len > 0) {
            let chunk = self.chunks.iter().find(|chunk| chunk.holds(*span))?;
            let from = usize::try_from(span.start - chunk.base).ok()?;
            bytes.extend_from_slice(chunk.bytes.get(from..from + span.len)?);
        }
        self.drop_until(last.end());
        Some(bytes)
    }

    /// Keeps a written batch's buffer for a later chunk.
    pub(super) fn give_back(&mut self, mut bytes: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS && bytes.capacity() > 0 {
            bytes.clear();
            self.spare.push(bytes);
        }
    }

    fn drop_front(&mut self) {
        if let Some(chunk) = self.chunks.pop_front() {
            self.give_back(chunk.bytes);
        }
    }

    /// Drops every byte before stream offset `end`.
    fn drop_until(&mut self, end: u64) {
        while let Some(front) = self.chunks.front_mut() {
            if front.end() <= end {
                self.drop_front();
                continue;
            }
            if front.base < end {
                let dropped = usize::try_from(end - front.base).unwrap_or(front.bytes.len());
                front.bytes.drain(..dropped);
                front.base = end;
            }
            return;
        }
    }

    /// Bytes queued and not taken.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.chunks.iter().map(|chunk| chunk.bytes.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Queues entries named `names`: their spans.
    fn queue(gathered: &mut Gathered, names: &[&str]) -> Vec<Span> {
        names
            .iter()
            .map(|name| gathered.push(name.as_bytes()))
            .collect()
    }

    /// A batch of a whole chunk is sent as the chunk's buffer; the next entries start another chunk,
    /// in a buffer a written batch gave back.
    #[test]
    fn a_batch_of_a_whole_chunk_is_its_buffer() {
        let mut gathered = Gathered::new(3);
        let spans = queue(&mut gathered, &["ab", "cd", "ef", "gh"]);
        let buffer = gathered.chunks[0].bytes.as_ptr();
        let batch = gathered.take(&spans[..3]).expect("their bytes are here");
        assert_eq!(batch, b"abcdef");
        assert_eq!(batch.as_ptr(), buffer, "not a copy");
        assert_eq!(gathered.take(&spans[3..]).expect("its bytes"), b"gh");
        gathered.give_back(batch);
        let spans = queue(&mut gathered, &["ij"]);
        assert_eq!(
            gathered.chunks[0].bytes.as_ptr(),
            buffer,
            "the buffer given back"
        );
        assert_eq!(gathered.take(&spans).expect("its bytes"), b"ij");
        assert_eq!(gathered.len(), 0);
    }

    /// A batch of a chunk's first entries is sent as the chunk's buffer; the entries queued after
    /// them stay, for the next batch.
    #[test]
    fn a_batch_of_a_chunks_first_entries_leaves_the_rest() {
        let mut gathered = Gathered::new(8);
        let spans = queue(&mut gathered, &["ab", "cd", "ef"]);
        let buffer = gathered.chunks[0].bytes.as_ptr();
        let batch = gathered.take(&spans[..2]).expect("their bytes are here");
        assert_eq!((batch.as_slice(), batch.as_ptr()), (&b"abcd"[..], buffer));
        let more = queue(&mut gathered, &["gh"]);
        assert_eq!(
            gathered.take(&[spans[2], more[0]]).expect("theirs"),
            b"efgh"
        );
        assert_eq!(gathered.len(), 0);
    }

    /// Bytes of entries that are not sent (timed out waiting, or lost with a batch task that
    /// panicked) are dropped with the batch after them, which gets its own bytes only, across
    /// chunks; bytes never queued fail the batch.
    #[test]
    fn a_batch_skips_the_bytes_of_entries_not_sent() {
        let mut gathered = Gathered::new(2);
        let spans = queue(&mut gathered, &["lost", "a", "late", "b", "c", "next"]);
        let batch = gathered
            .take(&[spans[1], spans[3], spans[4]])
            .expect("theirs");
        assert_eq!(batch, b"abc");
        assert_eq!(gathered.len(), "next".len(), "the next entry's bytes stay");
        assert_eq!(gathered.take(&spans[5..]).expect("its bytes"), b"next");
        let never = Span {
            start: gathered.end,
            len: 3,
        };
        assert!(gathered.take(&[never]).is_none(), "bytes never queued");
        assert_eq!(
            gathered.take(&[Span { start: 0, len: 0 }]),
            Some(Vec::new())
        );
    }
}
