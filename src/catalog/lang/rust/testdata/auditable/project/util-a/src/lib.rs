pub fn greeting() -> String { format!("hello {}", util_c::NAME) }
