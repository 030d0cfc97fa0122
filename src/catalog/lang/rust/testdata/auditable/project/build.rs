fn main() {
    println!("cargo:rustc-env=BUILD_HELPER={}", build_helper::stamp());
}
