/// Next hops stored once and referred to by number (0 is none): the routes of a full table
/// share a few. A number is freed, and later reused, when nothing refers to it any more.
struct NextHopPool {
    /// Numbers fit in 30 bits: `RouteState` keeps its flags above them.
    static let numberMask: UInt32 = 1 << 30 - 1

    private var nextHops: [KernelNextHop?] = [nil]
    private var references: [Int] = [0]
    private var numbers: [KernelNextHop: UInt32] = [:]
    private var free: [UInt32] = []
    /// The last number looked up: consecutive routes mostly share their next hop.
    private var last: (nextHop: KernelNextHop, number: UInt32)?

    subscript(number: UInt32) -> KernelNextHop? { nextHops[Int(number)] }

    var count: Int { numbers.count }

    /// The number of `nextHop` (nil: 0); a new one is added unreferenced, for the caller to retain.
    mutating func number(for nextHop: KernelNextHop?) -> UInt32 {
        guard let nextHop else { return 0 }
        if let last, last.nextHop == nextHop { return last.number }
        let number: UInt32
        if let known = numbers[nextHop] {
            number = known
        } else if let reused = free.popLast() {
            number = reused
            nextHops[Int(number)] = nextHop
        } else {
            number = UInt32(nextHops.count)
            precondition(number <= Self.numberMask, "more than \(Self.numberMask) distinct next hops")
            nextHops.append(nextHop)
            references.append(0)
        }
        numbers[nextHop] = number
        last = (nextHop, number)
        return number
    }

    mutating func retain(_ number: UInt32) {
        if number != 0 { references[Int(number)] += 1 }
    }

    mutating func release(_ number: UInt32, count: Int = 1) {
        guard number != 0 else { return }
        references[Int(number)] -= count
        guard references[Int(number)] == 0, let nextHop = nextHops[Int(number)] else { return }
        numbers[nextHop] = nil
        nextHops[Int(number)] = nil
        free.append(number)
        if last?.number == number { last = nil }
    }
}
