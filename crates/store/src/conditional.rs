//! What a conditional write decides from the object as stored, the same for every backend:
//! missing → 404, a failed `If-Match`/`If-None-Match` → 412, a PATCH that changes nothing →
//! answered with the current version and nothing written; otherwise the backend writes.

use tally_model::{Patch, Precondition, Versioned};

use crate::WriteOutcome;

/// The decision: answer now, or write this object (its version already advanced).
pub enum Decision<T> {
    Answer(WriteOutcome<T>),
    Write(T),
}

/// Decides a PATCH of `current` (None: no such object).
pub fn decide_update(
    current: Option<Versioned>,
    patch: Patch,
    precondition: &Precondition,
) -> Decision<Versioned> {
    let Some(mut stored) = current else {
        return Decision::Answer(WriteOutcome::NotFound);
    };
    if !precondition.allows(stored.etag()) {
        return Decision::Answer(WriteOutcome::PreconditionFailed);
    }
    if !patch.apply_to(&mut stored.entity) {
        return Decision::Answer(WriteOutcome::Done(stored));
    }
    stored.version += 1;
    Decision::Write(stored)
}

/// Decides a DELETE of `current` (None: no such object).
pub fn decide_delete(current: Option<Versioned>, precondition: &Precondition) -> Decision<()> {
    match current {
        None => Decision::Answer(WriteOutcome::NotFound),
        Some(stored) if !precondition.allows(stored.etag()) => {
            Decision::Answer(WriteOutcome::PreconditionFailed)
        }
        Some(_) => Decision::Write(()),
    }
}
