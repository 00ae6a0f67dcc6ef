//! SCAFFOLD glob.
pub struct GlobOptions {
    pub dotglob: bool,
    pub nocaseglob: bool,
    pub extglob: bool,
    pub globstar: bool,
}
pub fn glob(_text: &[u8], _quoted: impl Fn(usize) -> bool, _o: &GlobOptions) -> Vec<Vec<u8>> {
    Vec::new()
}
