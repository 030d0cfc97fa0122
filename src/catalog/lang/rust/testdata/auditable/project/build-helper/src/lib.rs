pub fn stamp() -> &'static str { util_c::NAME }
