//! The order batch items run in: every item after the items it depends on, otherwise in request
//! order. A cycle is a 400 for the whole batch.

use super::items::BatchItem;
use crate::error::ApiError;

/// Indexes into `items`, dependencies first (Kahn's algorithm, lowest index first).
pub fn execution_order(items: &[BatchItem]) -> Result<Vec<usize>, ApiError> {
    let position = |id: &String| items.iter().position(|item| item.id == *id);
    let mut waiting_on: Vec<usize> = items.iter().map(|item| item.depends_on.len()).collect();
    let mut done = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let Some(next) = (0..items.len()).find(|&index| !done[index] && waiting_on[index] == 0)
        else {
            let stuck: Vec<&str> = (0..items.len())
                .filter(|&index| !done[index])
                .map(|index| items[index].id.as_str())
                .collect();
            return Err(ApiError::bad_request(format!(
                "The batch's dependsOn form a cycle among the requests {}.",
                stuck.join(", ")
            )));
        };
        done[next] = true;
        order.push(next);
        for (index, item) in items.iter().enumerate() {
            let dependencies_on_next = item
                .depends_on
                .iter()
                .filter(|id| position(id) == Some(next))
                .count();
            waiting_on[index] -= dependencies_on_next;
        }
    }
    Ok(order)
}
