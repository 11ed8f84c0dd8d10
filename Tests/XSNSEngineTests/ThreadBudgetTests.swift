import Testing
@testable import XSNSEngine

/// The default thread count: OMP_NUM_THREADS first, then a cgroup CPU limit below the core count.
struct ThreadBudgetTests {
    @Test(arguments: [
        (nil, nil, 8, 8), (nil, "max 100000\n", 8, 8), (nil, "200000 100000\n", 8, 2), (nil, "150000 100000", 8, 2),
        (nil, "50000 100000", 8, 1), (nil, "1600000 100000", 8, 8), ("3", "200000 100000", 8, 3), ("0", nil, 4, 4),
        ("x", nil, 4, 4), (nil, "garbage", 2, 2), ("512", nil, 2, 256), (nil, nil, 1024, 256),
    ] as [(String?, String?, Int, Int)])
    func budget(omp: String?, cpuMax: String?, cores: Int, expected: Int) {
        #expect(ThreadBudget.available(ompThreads: omp, cpuMax: cpuMax, cores: cores) == expected)
    }

    @Test func cpuLists() {
        #expect(ThreadBudget.cpuCount(list: "0-3,8,10-11\n") == 7)
        #expect(ThreadBudget.cpuCount(list: " 0-1") == 2)
        #expect(ThreadBudget.cpuCount(list: "5") == 1)
        #expect(ThreadBudget.cpuCount(list: "") == nil)
        #expect(ThreadBudget.cpuCount(list: "3-1") == nil)
        #expect(ThreadBudget.cpuCount(list: "a-b") == nil)
    }
}
