// swift-tools-version:6.1
import PackageDescription

// Every target is in the Swift 6 language mode (this manifest's default) but IntegrationTests.

let package = Package(
    name: "pyrmute-registry",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pyrmute-registry", targets: ["pyrmute-registry"]),
        .executable(name: "pyrmute-registry-worker", targets: ["pyrmute-registry-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // Webhook delivery only (the worker's RegistryDelivery); the supervisor does not link it.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // OpenTelemetry tracing (docs/tracing.md): the API everywhere spans start (RegistryTracing), the
        // OTLP/HTTP exporter in the worker only (RegistryTelemetry). Only the OTLPHTTP trait: the
        // gRPC exporter would add grpc-swift, its HTTP/2 transport and their build time.
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres"),
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "CShim", path: "Sources/CShim"),
        // Sources/Shared: the libraries both processes build on, bottom to top (docs/architecture.md).
        .target(
            name: "RegistryJSON",
            path: "Sources/Shared/RegistryJSON"
        ),
        .target(
            name: "RegistryJSONSchema",
            dependencies: ["RegistryJSON"],
            path: "Sources/Shared/RegistryJSONSchema"
        ),
        // The spans of a request (issue 19): on/off switch, the current request's context, SQL and
        // bcrypt spans. The Tracing API only (no exporter): RegistryTelemetry installs the tracer.
        .target(
            name: "RegistryTracing",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/RegistryTracing"
        ),
        .target(
            name: "RegistryStorage",
            dependencies: ["RegistryJSON", "RegistryTracing", "CSQLite", "CPostgres"],
            path: "Sources/Shared/RegistryStorage"
        ),
        .target(
            name: "RegistryRuntime",
            dependencies: ["RegistryJSON", "RegistryStorage", "CShim", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Shared/RegistryRuntime"
        ),
        // Issue 16: canonical forms, fingerprints and the search terms of a schema, and the SQL that
        // keeps them beside each version (the migration's backfill and the registration share it).
        .target(
            name: "RegistryDiscovery",
            dependencies: ["RegistryJSON", "RegistryStorage", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Shared/RegistryDiscovery"
        ),
        .target(
            name: "RegistryDomain",
            dependencies: [
                "RegistryJSON", "RegistryStorage", "RegistryRuntime", "RegistryDiscovery", "RegistryTracing", "CCrypt",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Shared/RegistryDomain"
        ),
        .target(
            name: "RegistryTraffic",
            dependencies: [
                "RegistryJSON", "RegistryStorage", "RegistryRuntime", "RegistryDomain", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/RegistryTraffic"
        ),
        .target(
            name: "RegistrySchemas",
            dependencies: [
                "RegistryJSON", "RegistryJSONSchema", "RegistryStorage", "RegistryRuntime", "RegistryDomain",
                "RegistryCompatibility", "RegistryDiscovery",
            ],
            path: "Sources/Shared/RegistrySchemas"
        ),
        // Compatibility engines (issue 14): what changed between two schemas and what it breaks.
        .target(
            name: "RegistryCompatibility",
            dependencies: ["RegistryJSON"],
            path: "Sources/Shared/RegistryCompatibility"
        ),
        // The worker's HTTP stack: connection handling, the middleware pipeline, routes, handlers and
        // the OpenAPI document. A library, so that tests can drive it in-process (Tests/HTTPTests).
        .target(
            name: "RegistryHTTP",
            dependencies: [
                "RegistryJSON", "RegistryStorage", "RegistryRuntime", "RegistryDomain", "RegistryTraffic", "RegistrySchemas", "CZlib",
                "RegistryTracing", .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Worker/RegistryHTTP"
        ),
        // Webhook delivery (issue 17): the lease, the outbound HTTP client, signing, retries. Worker
        // side only, so that async-http-client stays out of the supervisor.
        .target(
            name: "RegistryDelivery",
            dependencies: [
                "RegistryJSON", "RegistryStorage", "RegistryRuntime", "RegistryDomain", "RegistryTracing",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Worker/RegistryDelivery"
        ),
        // OpenTelemetry's SDK and OTLP/HTTP exporter (swift-otel): bootstrapped by the worker when
        // OTEL_ENABLED. Only the worker links it.
        .target(
            name: "RegistryTelemetry",
            dependencies: [
                "RegistryRuntime", "RegistryTracing",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Worker/RegistryTelemetry"
        ),
        // The worker process: fd 3 and fd 4 from the supervisor, signals, heartbeat, drain.
        .executableTarget(
            name: "pyrmute-registry-worker",
            dependencies: [
                "RegistryHTTP", "RegistryDelivery", "RegistryTelemetry", "RegistryTracing", "RegistryJSON", "RegistryStorage",
                "RegistryRuntime", "RegistryDomain", "CShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Worker/WorkerProcess"
        ),
        // The supervisor's policy: a worker slot's life as one state machine, pure and unit-tested.
        .target(
            name: "SupervisorCore",
            dependencies: ["RegistryJSON", "RegistryRuntime", "CShim", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Supervisor/SupervisorCore"
        ),
        .executableTarget(
            name: "pyrmute-registry",
            dependencies: [
                "RegistryJSON", "RegistryStorage", "RegistryRuntime", "RegistryDomain", "SupervisorCore", "CShim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Supervisor",
            exclude: ["SupervisorCore"]
        ),
        // The bare-NIO "hello world" that bench/ serves the same way as the registry: the ceiling.
        .executableTarget(
            name: "bench-nio-hello",
            dependencies: [
                "CShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "bench/NIOHello"
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "RegistryJSON", "RegistryJSONSchema", "RegistryStorage", "RegistryRuntime", "RegistryDomain", "RegistryTraffic",
                "RegistrySchemas", "RegistryDiscovery",
            ],
            path: "Tests/SharedTests",
            exclude: ["avro_canonical_oracle.py"]
        ),
        .testTarget(
            name: "CompatibilityTests",
            dependencies: ["RegistryCompatibility", "RegistryRuntime", "RegistryJSON"],
            path: "Tests/CompatibilityTests",
            exclude: ["avro_oracle.py"]
        ),
        .testTarget(
            name: "SupervisorCoreTests",
            dependencies: ["SupervisorCore", "RegistryJSON", "RegistryRuntime"],
            path: "Tests/SupervisorCoreTests"
        ),
        .testTarget(
            name: "HTTPTests",
            dependencies: [
                "RegistryHTTP", "RegistryJSON", "RegistryStorage", "RegistryRuntime", "RegistryDomain", "RegistryTraffic", "RegistrySchemas",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/HTTPTests"
        ),
        // Swift 5 mode: its tests gather results from concurrent threads into variables guarded by a
        // lock, which Swift 6's checker rejects; every other target is in Swift 6 mode.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "RegistryJSON", "RegistryJSONSchema", "RegistryStorage", "RegistryRuntime", "RegistryDomain", "RegistryTraffic", "CZlib",
            ],
            path: "Tests/IntegrationTests",
            exclude: ["python"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
