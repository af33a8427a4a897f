extension Array {
    /// The `count` smallest elements in order, by a total order `less`: a bounded max-heap when
    /// they are few (a page of search results among thousands: n log k comparisons instead of
    /// n log n, and no moves of the others), a full sort otherwise.
    func smallest(_ count: Int, by less: (Element, Element) -> Bool) -> [Element] {
        guard count > 0 else { return [] }
        if count * 4 >= self.count { return Array(sorted(by: less).prefix(count)) }
        var heap: [Element] = []
        heap.reserveCapacity(count)
        for element in self {
            if heap.count < count {
                heap.append(element)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard less(heap[parent], heap[child]) else { break }
                    heap.swapAt(parent, child)
                    child = parent
                }
            } else if less(element, heap[0]) {
                heap[0] = element
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var largest = parent
                    if left < heap.count && less(heap[largest], heap[left]) { largest = left }
                    if right < heap.count && less(heap[largest], heap[right]) { largest = right }
                    if largest == parent { break }
                    heap.swapAt(parent, largest)
                    parent = largest
                }
            }
        }
        return heap.sorted(by: less)
    }
}
