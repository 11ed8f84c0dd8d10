// swift-tools-version:6.0
import PackageDescription

// Numeric kernels are unusable without optimisation, even in debug test builds.
let optimized: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]

let package = Package(
    name: "XSNSWorkbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "xsns", targets: ["xsns"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries: nothing but the C headers.
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        // Bit kernels compiled per instruction set and picked at run time (Swift targets baseline x86-64),
        // and GELU and softmax exponentials on glibc's vector math library (libmvec) where there is one.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])],
                linkerSettings: [.linkedLibrary("mvec", .when(platforms: [.linux])), .linkedLibrary("m", .when(platforms: [.linux]))]),

        // Engine side: no terminal code anywhere below the TUI.
        .target(name: "XSNSStorage", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: optimized),
        .target(name: "XSNSTokenizers", dependencies: ["XSNSStorage"], swiftSettings: optimized),
        .target(name: "XSNSEngine",
                dependencies: ["CBLAS", "CKernels", "XSNSStorage", "XSNSTokenizers"],
                swiftSettings: optimized),
        .target(name: "XSNSAnalysis", dependencies: ["CBLAS", "CKernels", "XSNSStorage"], swiftSettings: optimized),
        // Training on the engine's ops: optimizer, trainable scopes, adapters' task heads, MLM fine-tuning.
        .target(name: "XSNSTraining",
                dependencies: ["XSNSStorage", "XSNSTokenizers", "XSNSEngine", "XSNSAnalysis", "XSNSCompute"],
                swiftSettings: optimized),
        // The transfer probe of 2403.20088: treebanks, the task adapter, transfer fine-tunes and their scores.
        .target(name: "XSNSProbe",
                dependencies: ["XSNSStorage", "XSNSTokenizers", "XSNSEngine", "XSNSSession", "XSNSAnalysis", "XSNSCompute",
                               "XSNSTraining"]),
        // Choenni et al.'s head sub-networks: Michel et al.'s iterative head pruning of the session's model.
        .target(name: "XSNSPruning",
                dependencies: ["XSNSStorage", "XSNSEngine", "XSNSSession", "XSNSAnalysis", "XSNSCompute", "XSNSTraining",
                               "XSNSProbe"]),
        .target(name: "XSNSSession", dependencies: ["XSNSStorage"]),
        // Cluster scheduling: Slurm array jobs of compute runs, and what the queue says of them.
        .target(name: "XSNSCluster", dependencies: ["XSNSStorage", "XSNSSession", "XSNSCompute"]),
        // Orchestration: corpora → tokens → Fisher files in a session, with progress events.
        .target(name: "XSNSCompute",
                dependencies: ["XSNSStorage", "XSNSTokenizers", "XSNSEngine", "XSNSSession", "XSNSAnalysis"]),

        // Front end: a pure state/reducer/renderer, and the thin curses adapter.
        .target(name: "XSNSTUI"),
        .target(name: "XSNSTerminal", dependencies: ["CNCursesW", "XSNSTUI"]),
        // The app shell: wires the TUI to the engine, the analysis and the session (no curses).
        .target(name: "XSNSWorkbench",
                dependencies: ["XSNSTUI", "XSNSAnalysis", "XSNSEngine", "XSNSCompute", "XSNSProbe", "XSNSCluster", "XSNSSession",
                               "XSNSStorage"]),

        .executableTarget(
            name: "xsns",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "XSNSStorage", "XSNSTokenizers", "XSNSEngine", "XSNSAnalysis", "XSNSCompute",
                "XSNSTraining", "XSNSProbe", "XSNSPruning", "XSNSCluster", "XSNSSession", "XSNSTUI", "XSNSTerminal", "XSNSWorkbench",
            ],
            exclude: ["DemoModel/README.md"],
            resources: [.copy("DemoModel")]),

        .target(name: "XSNSTestSupport", path: "Sources/XSNSTestSupport"),
        .testTarget(name: "XSNSStorageTests", dependencies: ["XSNSStorage", "XSNSTestSupport"]),
        .testTarget(name: "XSNSTokenizersTests", dependencies: ["XSNSTokenizers", "XSNSStorage", "XSNSTestSupport"]),
        .testTarget(name: "XSNSEngineTests", dependencies: ["XSNSEngine", "CKernels", "XSNSTestSupport"]),
        .testTarget(name: "XSNSTrainingTests",
                    dependencies: ["XSNSTraining", "XSNSEngine", "XSNSCompute", "XSNSStorage", "XSNSProbe", "XSNSPruning",
                                   "XSNSTestSupport"]),
        .testTarget(name: "XSNSProbeTests",
                    dependencies: ["XSNSProbe", "XSNSCompute", "XSNSTraining", "XSNSEngine", "XSNSTokenizers", "XSNSStorage",
                                   "XSNSTestSupport"]),
        .testTarget(name: "XSNSPruningTests",
                    dependencies: ["XSNSPruning", "XSNSProbe", "XSNSAnalysis", "XSNSEngine", "XSNSStorage", "XSNSTestSupport"]),
        .testTarget(name: "XSNSAnalysisTests", dependencies: ["XSNSAnalysis", "CKernels", "XSNSTestSupport"]),
        .testTarget(name: "XSNSSessionTests", dependencies: ["XSNSSession", "XSNSTestSupport"]),
        .testTarget(name: "XSNSComputeTests", dependencies: ["XSNSCompute", "XSNSTestSupport"]),
        .testTarget(name: "XSNSTUITests", dependencies: ["XSNSTUI", "XSNSTestSupport"]),
        .testTarget(name: "XSNSWorkbenchTests", dependencies: ["XSNSWorkbench", "XSNSProbe", "XSNSTestSupport"]),
        .testTarget(name: "XSNSCLITests", dependencies: ["XSNSSession", "XSNSStorage", "XSNSAnalysis", "XSNSWorkbench", "XSNSTestSupport"]),
        .testTarget(name: "XSNSFuzzTests", dependencies: ["XSNSStorage", "XSNSEngine", "XSNSAnalysis", "XSNSTokenizers", "XSNSSession", "XSNSCompute", "XSNSTestSupport"]),
    ]
)
