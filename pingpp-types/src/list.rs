//! Paged lists (`object: "list"`).

use crate::common::JsonMap;

wire_object! {
    /// A page of objects: `{"object":"list","url":"/v1/...","has_more":bool,"data":[...]}`.
    ///
    /// Withdrawal lists also carry `total_withdrawals_amount` (left out when `None`);
    /// other unknown fields are kept in [`List::other`]. Parsing keeps the shape the
    /// server sent and serializing writes it back unchanged.
    pub struct List<T> {
        /// Object type, `"list"`.
        pub object: String = "object" [default = "list"],
        /// URL of this list.
        pub url: String = "url" [default = ""],
        /// Whether there are more pages.
        pub has_more: bool = "has_more" [default = false],
        /// The objects of this page.
        pub data: Vec<T> = "data" [required],
        /// Withdrawal lists only: total amount in fen of the listed withdrawals.
        pub total_withdrawals_amount: Option<i64> = "total_withdrawals_amount" [optional],
    }
}

impl<T> List<T> {
    /// A list of `data` at `url`.
    pub fn new(url: impl Into<String>, data: Vec<T>, has_more: bool) -> Self {
        Self {
            object: "list".to_owned(),
            url: url.into(),
            has_more,
            data,
            total_withdrawals_amount: None,
            other: JsonMap::new(),
            shape: Self::BLANK_SHAPE,
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
