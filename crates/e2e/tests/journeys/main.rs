//! The payer journeys, end to end. One test binary with a module per journey (links once).

mod first_slice;
