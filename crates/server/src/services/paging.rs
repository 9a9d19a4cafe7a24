//! Listings page the same way: ask the store for one row more than the page holds; if it came,
//! there is a next page, and its cursor is the last row shown.

use crate::error::AppError;

/// One page of a listing and the cursor of the next one (`None` on the last page).
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// `rows` were fetched with a limit of `limit + 1`.
    pub fn cut(mut rows: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> String) -> Page<T> {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(cursor_of)
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }
}

/// A cursor that no page of this server handed out.
pub fn foreign_cursor() -> AppError {
    AppError::invalid("cursor", "is not a cursor this server issued")
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn a_next_cursor_only_when_a_row_is_left_over() {
        let page = Page::cut(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_cursor.as_deref(), Some("2"));
        let last = Page::cut(vec![1, 2], 2, |n| n.to_string());
        assert_eq!(last.items, vec![1, 2]);
        assert_eq!(last.next_cursor, None);
    }
}
