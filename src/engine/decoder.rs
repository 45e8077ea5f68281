//! ZMTP/1.0 decoder (being written).
