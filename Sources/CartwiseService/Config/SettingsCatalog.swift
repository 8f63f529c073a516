/// Every setting Cartwise reads, with its default. The one place to add a setting.
package enum SettingsCatalog {
    package static let all: [Setting] = [
        Setting(
            key: "server.host",
            kind: .text(choices: nil),
            defaultValue: .text("127.0.0.1"),
            description: "Address to listen on: 127.0.0.1, 0.0.0.0, :: (IPv6 and IPv4) or a host name. Flag --host."
        ),
        Setting(
            key: "server.port",
            kind: .integer(0...65535),
            defaultValue: .integer(8080),
            description: "TCP port; 0 lets the kernel choose. Flag --port."
        ),
        Setting(
            key: "server.threads",
            kind: .integer(0...256),
            defaultValue: .integer(0),
            description: "Event loop threads; 0 means one per CPU core. Flag --threads."
        ),
        Setting(
            key: "server.backlog",
            kind: .integer(1...65535),
            defaultValue: .integer(1024),
            description: "Kernel accept queue length per listening socket."
        ),
        Setting(
            key: "server.max_connections",
            kind: .integer(1...1_000_000),
            defaultValue: .integer(10000),
            description: "Open connections at most; connections beyond it are closed as soon as they are accepted."
        ),
        Setting(
            key: "server.limits.request_line_bytes",
            kind: .integer(256...1_048_576),
            defaultValue: .integer(8192),
            description: "Longest request line; longer ones get 414."
        ),
        Setting(
            key: "server.limits.header_bytes",
            kind: .integer(1024...1_048_576),
            defaultValue: .integer(16384),
            description: "Largest header section; larger ones get 431."
        ),
        Setting(
            key: "server.limits.header_fields",
            kind: .integer(1...10000),
            defaultValue: .integer(100),
            description: "Most header fields in a request; more get 431."
        ),
        Setting(
            key: "server.limits.body_bytes",
            kind: .integer(0...1_073_741_824),
            defaultValue: .integer(8_388_608),
            description: "Largest request body (also after gzip decoding); larger ones get 413 without being read."
        ),
        Setting(
            key: "server.timeouts.header_read_s",
            kind: .number(0.1...3600),
            defaultValue: .number(10),
            description: "Seconds to receive a whole request head, from its first byte (slowloris defence)."
        ),
        Setting(
            key: "server.timeouts.body_read_s",
            kind: .number(0.1...3600),
            defaultValue: .number(30),
            description: "Seconds to receive a request body once the head is complete."
        ),
        Setting(
            key: "server.timeouts.idle_s",
            kind: .number(0.1...86400),
            defaultValue: .number(60),
            description: "Seconds a keep-alive connection may stay idle between requests."
        ),
        Setting(
            key: "server.timeouts.write_s",
            kind: .number(0.1...3600),
            defaultValue: .number(30),
            description: "Seconds a client has to read a response before the connection is dropped."
        ),
        Setting(
            key: "server.timeouts.response_s",
            kind: .number(0.1...86_400),
            defaultValue: .number(60),
            description:
                "Seconds a request that waits for other work (a durable write, a fit, a training) may wait; "
                + "past it the answer is 503 (the work may still complete) and the connection is closed."
        ),
        Setting(
            key: "server.timeouts.drain_s",
            kind: .number(0...3600),
            defaultValue: .number(10),
            description: "On SIGTERM/SIGINT, seconds to finish in-flight requests before closing what is left."
        ),
        Setting(
            key: "server.gzip.enabled",
            kind: .boolean,
            defaultValue: .boolean(true),
            description: "Gzip responses when the client sends Accept-Encoding: gzip."
        ),
        Setting(
            key: "server.gzip.min_bytes",
            kind: .integer(0...1_073_741_824),
            defaultValue: .integer(1024),
            description: "Smallest response body worth compressing."
        ),
        Setting(
            key: "server.gzip.level",
            kind: .integer(1...9),
            defaultValue: .integer(5),
            description: "zlib compression level: 1 fastest, 9 smallest."
        ),
        Setting(
            key: "server.tls.cert",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description:
                "PEM certificate chain (server certificate first). With server.tls.key, every connection is TLS 1.2 or 1.3; SIGHUP reloads both files without dropping connections. Flag --tls-cert."
        ),
        Setting(
            key: "server.tls.key",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "PEM private key of server.tls.cert. Flag --tls-key."
        ),
        Setting(
            key: "server.benchmark_routes",
            kind: .boolean,
            defaultValue: .boolean(false),
            description:
                "Also serve GET /health and POST /echo, the routes the HTTP anchors implement, so benchmarks compare like with like."
        ),
        Setting(
            key: "storage.durability",
            kind: .text(choices: ["fsync", "interval", "none"]),
            defaultValue: .text("fsync"),
            description:
                "fsync: fdatasync before acknowledging a batch (group-committed), survives kill -9 and power loss. interval: acknowledge after write and sync every storage.fsync_interval_ms, power loss can lose that much. none: sync only on rotation and shutdown, power loss can lose what the kernel has not written back (about 30 s). Both relaxed modes survive kill -9."
        ),
        Setting(
            key: "storage.fsync_interval_ms",
            kind: .integer(1...60000),
            defaultValue: .integer(100),
            description: "With storage.durability=interval: milliseconds between syncs."
        ),
        Setting(
            key: "storage.segment_bytes",
            kind: .integer(1_048_576...1_073_741_824),
            defaultValue: .integer(67_108_864),
            description: "Size at which a log segment is closed and the next one started."
        ),
        Setting(
            key: "events.recent_per_user",
            kind: .integer(1...10000),
            defaultValue: .integer(50),
            description: "Latest events kept in memory per user (32 bytes each); older ones stay in the log."
        ),
        Setting(
            key: "events.max_batch",
            kind: .integer(1...1_000_000),
            defaultValue: .integer(10000),
            description: "Most events or items in one POST /events or POST /items batch; larger batches get 413."
        ),
        Setting(
            key: "events.weight.view",
            kind: .number(0...1000),
            defaultValue: .number(1),
            description: "ALS weight of a view (confidence c = 1 + als.alpha x the summed weights of a user-item pair)."
        ),
        Setting(
            key: "events.weight.click",
            kind: .number(0...1000),
            defaultValue: .number(2),
            description: "ALS weight of a click."
        ),
        Setting(
            key: "events.weight.add_to_cart",
            kind: .number(0...1000),
            defaultValue: .number(4),
            description: "ALS weight of an add_to_cart."
        ),
        Setting(
            key: "events.weight.purchase",
            kind: .number(0...1000),
            defaultValue: .number(8),
            description: "ALS weight of a purchase."
        ),
        Setting(
            key: "events.weight.impression",
            kind: .number(0...1000),
            defaultValue: .number(0),
            description: "ALS weight of an impression (0: being shown an item says nothing about liking it)."
        ),
        Setting(
            key: "events.weight.rating",
            kind: .number(0...1000),
            defaultValue: .number(1),
            description: "ALS weight of a rating, multiplied by the rating's value."
        ),
        Setting(
            key: "als.factors",
            kind: .integer(1...512),
            defaultValue: .integer(64),
            description: "Latent factors per user and item."
        ),
        Setting(
            key: "als.regularization",
            kind: .number(0...100_000),
            defaultValue: .number(ALSDefaults.regularization),
            description: "L2 regularization (lambda) of the ALS objective."
        ),
        Setting(
            key: "als.alpha",
            kind: .number(0...100_000),
            defaultValue: .number(ALSDefaults.alpha),
            description: "Confidence scale: c = 1 + alpha x weight (the starting value when als.auto_tune is on)."
        ),
        Setting(
            key: "als.auto_tune",
            kind: .boolean,
            defaultValue: .boolean(true),
            description:
                "Choose alpha among 1, 2, 5, 10 and 40 by recall@10 on the held-back slice (trainer.holdout_users), at the first training and then every als.tune_interval_s; the served model is then trained on all data."
        ),
        Setting(
            key: "als.tune_interval_s",
            kind: .number(0...31_536_000),
            defaultValue: .number(86400),
            description: "Seconds between two alpha tunings (each costs one training per candidate)."
        ),
        Setting(
            key: "als.iterations",
            kind: .integer(1...500),
            defaultValue: .integer(15),
            description: "ALS iterations (each solves users, then items)."
        ),
        Setting(
            key: "als.cg_steps",
            kind: .integer(1...100),
            defaultValue: .integer(3),
            description: "Conjugate-gradient steps per row and half-step."
        ),
        Setting(
            key: "als.threads",
            kind: .integer(0...256),
            defaultValue: .integer(0),
            description: "Worker threads for training; 0 means one per CPU core."
        ),
        Setting(
            key: "trainer.interval_s",
            kind: .number(1...604_800),
            defaultValue: .number(300),
            description: "Retrain at least this often (seconds) when new events arrived."
        ),
        Setting(
            key: "trainer.min_new_events",
            kind: .integer(1...1_000_000_000),
            defaultValue: .integer(10000),
            description: "Retrain as soon as this many events arrived since the last training."
        ),
        Setting(
            key: "trainer.snapshots_kept",
            kind: .integer(1...1000),
            defaultValue: .integer(5),
            description: "Model snapshot files kept in data/snapshots (for rollback)."
        ),
        Setting(
            key: "trainer.holdout_users",
            kind: .integer(0...1_000_000),
            defaultValue: .integer(1000),
            description: "Users whose latest item is held out of training to measure recall@10 (GET /models)."
        ),
        Setting(
            key: "recommend.cached_candidates",
            kind: .integer(0...1000),
            defaultValue: .integer(50),
            description:
                "Best unseen items ranked per user at each training; a known user's /recommend reads them instead of scoring every item, unless the filters leave fewer than offset + k. 0 turns the cache off."
        ),
        Setting(
            key: "recommend.popular_half_life_days",
            kind: .number(0.01...36500),
            defaultValue: .number(7),
            description: "Half-life of the time decay of popularity (the answer for unknown users)."
        ),
        Setting(
            key: "ctr.bits",
            kind: .integer(10...28),
            defaultValue: .integer(22),
            description:
                "log2 of the CTR model's hashed feature space (2^22 = 4,194,304 weights: 64 MB of learner state plus 16 MB per published model)."
        ),
        Setting(
            key: "ctr.crosses",
            kind: .crosses,
            defaultValue: .text("user*category,item*position,item*device"),
            description:
                "Feature crosses of the CTR model, comma-separated field*field pairs. Fields: user, item, category, hour, weekday and any context field name."
        ),
        Setting(
            key: "ctr.alpha",
            kind: .number(0.000001...100),
            defaultValue: .number(0.1),
            description:
                "FTRL-Proximal learning-rate scale (alpha): the rate of a coordinate is alpha / (beta + sqrt(sum of its squared gradients))."
        ),
        Setting(
            key: "ctr.beta",
            kind: .number(0...100),
            defaultValue: .number(1),
            description: "FTRL-Proximal beta: smooths the learning rate of a coordinate's first updates."
        ),
        Setting(
            key: "ctr.l1",
            kind: .number(0...1000),
            defaultValue: .number(0.1),
            description: "FTRL-Proximal L1 strength: coordinates whose evidence stays below it keep weight 0."
        ),
        Setting(
            key: "ctr.l2",
            kind: .number(0...1000),
            defaultValue: .number(1),
            description: "FTRL-Proximal L2 strength."
        ),
        Setting(
            key: "ctr.label_window_s",
            kind: .number(1...604_800),
            defaultValue: .number(1800),
            description:
                "An impression with no click (and no clicked flag) this many seconds after it was shown is learned as a negative."
        ),
        Setting(
            key: "ctr.publish_interval_ms",
            kind: .integer(10...3_600_000),
            defaultValue: .integer(1000),
            description:
                "Publish the updated CTR model at most this often, and at most this long after its last update."
        ),
        Setting(
            key: "auth.keys_file",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description:
                "API keys file written by `cartwise keys add` (SHA-256 digests, scopes, rate limits); empty means keys.json in the data directory."
        ),
        Setting(
            key: "auth.mode",
            kind: .text(choices: ["auto", "required", "off"]),
            defaultValue: .text("auto"),
            description:
                "auto: open while this data directory has never had an API key (the demo), then keys are required for good; required: keys always required; off: no authentication. Required with no keys loaded answers 503 on every protected route."
        ),
        Setting(
            key: "forecast.refresh_interval_s",
            kind: .number(1...604_800),
            defaultValue: .number(3_600),
            description:
                "Refit every series (purchase-derived demand included) this often; uploaded series and newly purchased items are also fitted within seconds, and at once when a request asks for them. GET /forecast's Cache-Control max-age runs to the next refit."
        ),
        Setting(
            key: "forecast.threads",
            kind: .integer(1...64),
            defaultValue: .integer(2),
            description: "Threads the forecast trainer fits series on."
        ),
        Setting(
            key: "forecast.backtest",
            kind: .boolean,
            defaultValue: .boolean(true),
            description:
                "Also refit each series without its last periods and report MASE and sMAPE on them (the answer's backtest)."
        ),
        Setting(
            key: "forecast.calibrate_intervals",
            kind: .boolean,
            defaultValue: .boolean(true),
            description:
                "Scale each frequency's interval widths by what its series' backtests needed to be covered (split-conformal; needs 30 series with backtests, else the model's own intervals)."
        ),
        Setting(
            key: "forecast.max_history",
            kind: .integer(10...1_000_000),
            defaultValue: .integer(5_000),
            description: "The most recent periods of a series the models are fitted on."
        ),
        Setting(
            key: "risk.review_threshold",
            kind: .number(0...1),
            defaultValue: .number(0.3),
            description: "Orders scoring at least this are sent to manual review (risk_level elevated)."
        ),
        Setting(
            key: "risk.decline_threshold",
            kind: .number(0...1),
            defaultValue: .number(0.8),
            description: "Orders scoring at least this are declined (risk_level high)."
        ),
        Setting(
            key: "risk.min_labels",
            kind: .integer(1...100_000_000),
            defaultValue: .integer(200),
            description:
                "Labelled orders needed before the trees replace the documented rule score."
        ),
        Setting(
            key: "risk.min_fraud_labels",
            kind: .integer(1...100_000_000),
            defaultValue: .integer(20),
            description: "Orders labelled fraud needed before the trees replace the documented rule score."
        ),
        Setting(
            key: "risk.retrain_interval_s",
            kind: .number(0...86_400),
            defaultValue: .number(60),
            description: "Retrain the risk trees at most this often when new labels or orders arrived."
        ),
        Setting(
            key: "risk.iterations",
            kind: .integer(1...10_000),
            defaultValue: .integer(100),
            description: "Boosting iterations (trees) of the risk model."
        ),
        Setting(
            key: "risk.learning_rate",
            kind: .number(0.001...1),
            defaultValue: .number(0.1),
            description: "Shrinkage of each tree's leaf values."
        ),
        Setting(
            key: "risk.max_leaf_nodes",
            kind: .integer(2...1024),
            defaultValue: .integer(31),
            description: "Leaves per tree (trees grow best-first)."
        ),
        Setting(
            key: "risk.min_samples_leaf",
            kind: .integer(1...100_000),
            defaultValue: .integer(20),
            description: "Orders needed in each leaf."
        ),
        Setting(
            key: "risk.l2",
            kind: .number(0...1000),
            defaultValue: .number(1),
            description:
                "L2 regularization of leaf values; needed on rare-fraud data, where unregularized leaves diverge."
        ),
        Setting(
            key: "risk.reasons",
            kind: .integer(1...30),
            defaultValue: .integer(5),
            description: "Contributions listed as reasons in each /score-order answer."
        ),
        Setting(
            key: "risk.recent_orders",
            kind: .integer(100...10_000_000),
            defaultValue: .integer(100_000),
            description: "Scored orders kept in memory for GET /score-order/thresholds."
        ),
        Setting(
            key: "risk.max_orders",
            kind: .integer(1_000...1_000_000_000),
            defaultValue: .integer(2_000_000),
            description:
                "Orders the risk model's training set keeps in memory (about 400 bytes each); beyond it the oldest leave "
                + "(labelled ones last) and stay only in data/audit/."
        ),
        Setting(
            key: "risk.high_risk_categories",
            kind: .text(choices: nil),
            defaultValue: .text("gift-cards,electronics"),
            description: "Comma-separated catalog categories whose share of the basket is the high_risk_share feature."
        ),
        Setting(
            key: "risk.allow_users",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated user ids always approved (checked before block lists and scores)."
        ),
        Setting(
            key: "risk.allow_emails",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated emails always approved."
        ),
        Setting(
            key: "risk.allow_ips",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated IP addresses always approved."
        ),
        Setting(
            key: "risk.allow_cards",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated card fingerprints always approved."
        ),
        Setting(
            key: "risk.block_users",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated user ids always declined (after the allow lists)."
        ),
        Setting(
            key: "risk.block_emails",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated emails always declined."
        ),
        Setting(
            key: "risk.block_ips",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated IP addresses always declined."
        ),
        Setting(
            key: "risk.block_cards",
            kind: .text(choices: nil),
            defaultValue: .text(""),
            description: "Comma-separated card fingerprints always declined."
        ),
        Setting(
            key: "data_dir",
            kind: .text(choices: nil),
            defaultValue: .text("./data"),
            description: "Directory for the event log, snapshots and audit files; created if missing. Flag --data-dir."
        ),
        Setting(
            key: "log.level",
            kind: .text(choices: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
            defaultValue: .text("info"),
            description: "Least severe log level written to stderr. Flag --log-level."
        ),
        Setting(
            key: "log.format",
            kind: .text(choices: ["json", "text"]),
            defaultValue: .text("json"),
            description: "json: one object per line for log shippers; text: for people at a terminal."
        ),
    ]

    /// The setting called `key`.
    package static func setting(_ key: String) -> Setting? {
        all.first { $0.key == key }
    }
}

/// The tuned ALS defaults (see docs/recommendations.md for the sweep that chose them).
package enum ALSDefaults {
    package static let regularization = 30.0
    package static let alpha = 1.0
}
