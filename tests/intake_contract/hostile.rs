//! Hostile bodies: refused with a message naming the field or the limit,
//! or kept exactly; never a panic.
