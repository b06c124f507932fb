//! Paged lists (`object: "list"`).

use serde::{Deserialize, Serialize};

use crate::common::JsonMap;

/// A page of objects: `{"object":"list","url":"/v1/...","has_more":bool,"data":[...]}`.
///
/// Withdrawal lists also carry `total_withdrawals_amount` (omitted when
/// `None`); other unknown fields are kept in [`List::other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List<T> {
    /// Object type, `"list"`.
    #[serde(default = "list_object")]
    pub object: String,
    /// URL of this list.
    #[serde(default)]
    pub url: String,
    /// Whether there are more pages.
    #[serde(default)]
    pub has_more: bool,
    /// The objects of this page.
    pub data: Vec<T>,
    /// Withdrawal lists only: total amount in fen of the listed withdrawals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_withdrawals_amount: Option<i64>,
    /// Fields this SDK does not know, kept verbatim.
    #[serde(flatten)]
    pub other: JsonMap,
}

fn list_object() -> String {
    "list".to_owned()
}

impl<T> List<T> {
    /// A list of `data` at `url`.
    pub fn new(url: impl Into<String>, data: Vec<T>, has_more: bool) -> Self {
        Self {
            object: list_object(),
            url: url.into(),
            has_more,
            data,
            total_withdrawals_amount: None,
            other: JsonMap::new(),
        }
    }

    /// Iterates over the objects of this page.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.data.iter()
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}
