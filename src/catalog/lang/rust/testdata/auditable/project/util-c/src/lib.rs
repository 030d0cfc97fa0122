pub const NAME: &str = "world";
