fn main() {
    println!("{} {}", util_a::greeting(), env!("BUILD_HELPER"));
}
