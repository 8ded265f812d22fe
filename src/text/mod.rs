//! Text handling shared by every stage: Unicode normalisation and folding
//! for matching, language identification, tokens and stems.

pub mod arabic;
pub mod hash;
pub mod language;
pub mod normalize;
pub mod tokens;

pub use language::detect_language;
pub use normalize::{fold, fold_into, nfc};
pub use tokens::{Script, Token, Tokenizer};
