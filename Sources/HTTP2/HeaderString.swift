/// Where a header name or value lies while a representation is decoded: in the block buffer
/// (plain or Huffman-coded), in the static table, or in the dynamic table's ring. Nothing is
/// copied until a consumer asks, so headers nobody looks at cost only their validation.
@usableFromInline enum HeaderString {
    case literal(UnsafeRawBufferPointer, huffman: Bool)
    case fixed(StaticString)
    /// Start and length inside `DynamicTable.bytes` (may wrap around the ring).
    case table(start: Int, length: Int)
}
