//! ZMTP/1.0 encoder (being written).
