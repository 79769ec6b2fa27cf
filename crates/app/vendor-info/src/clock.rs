//! Time comes from the one clock every party reads (`hearth-clock`).

pub use hearth_clock::{Clock, ManualClock, SystemClock};
