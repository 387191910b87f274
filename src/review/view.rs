//! Read-only views of a session for the front-ends: what they show but must not compute or
//! change themselves.

use super::{Preview, Session};

impl Session {
    /// The preview built by the last [`Session::preview`] call, if it is still current (a
    /// front-end fills the cache with `preview()` and then renders from a shared borrow).
    #[must_use]
    pub fn cached_preview(&self) -> Option<&Preview> {
        self.preview.as_ref()
    }
}
