//! Inverse document frequencies: Keras' `tf_idf` weights of a bag's columns.

use crate::bag::count::NgramCounts;
use crate::buffer::try_reserve;
use crate::error::Result;
use crate::vocab::Vocabulary;

/// Keras' inverse document frequency: `ln(1 + documents / (1 + df))`,
/// computed in `f64` (TensorFlow divides the two int64 counts into a
/// float64) and rounded to `f32`.
pub fn inverse_document_frequency(document_count: u64, documents: u64) -> f32 {
    (1.0 + documents as f64 / (1.0 + document_count as f64)).ln() as f32
}

/// The idf weight of each column of a bag over `vocab`: column `c` is id
/// `c + column_offset`; learned tokens (ids from `first_word_id`) get
/// [`inverse_document_frequency`], the special columns before them the mean
/// of those weights (Keras pads the weights of the OOV column with their
/// mean), and `depth` beyond the vocabulary pads with 0
/// (`pad_to_max_tokens`).
///
/// Errors: [`crate::CoreError::OutOfMemory`] when `depth` weights cannot be
/// allocated.
pub fn idf_weights(
    vocab: &Vocabulary,
    counts: &NgramCounts,
    first_word_id: usize,
    column_offset: usize,
    depth: usize,
) -> Result<Vec<f32>> {
    let learned: Vec<f32> = (first_word_id..vocab.len())
        .map(|id| {
            let df = vocab
                .token(id)
                .and_then(|t| counts.document_counts.get(t.as_bytes()).copied())
                .unwrap_or(0);
            inverse_document_frequency(df, counts.documents)
        })
        .collect();
    // No learned column: 0, as `set_vocabulary` gives an empty list (the mean
    // of nothing would make every OOV weight, and so every row, NaN).
    let mean = if learned.is_empty() {
        0.0
    } else {
        (learned.iter().map(|&w| f64::from(w)).sum::<f64>() / learned.len() as f64) as f32
    };
    let special_columns = first_word_id.saturating_sub(column_offset);
    let columns = depth.max(special_columns + learned.len());
    let mut weights = Vec::new();
    try_reserve(&mut weights, columns, || {
        format!("the idf weights of {columns} columns (max_tokens)")
    })?;
    weights.extend(std::iter::repeat_n(mean, special_columns));
    weights.extend_from_slice(&learned);
    weights.resize(columns, 0.0); // bounded: reserved above
    Ok(weights)
}
