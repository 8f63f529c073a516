/// Forecasting and inventory policy: daily demand per item summed from purchase events, uploaded
/// series from its own `series/` log, the forecast trainer, and `/series`, `/forecast`,
/// `/forecast/batch`, `/inventory/policy`, `/promotions`, `/plans/replenishment`,
/// `GET /models/forecast`.
package final class ForecastFeature: Feature {
    package let series: SeriesStore
    package let forecaster: Forecaster
    private let storage = StartedPart<ForecastStorage>()
    private let context: FeatureContext

    package init(_ context: FeatureContext) throws {
        self.context = context
        series = SeriesStore(maxHistory: context.configuration.forecast.maxHistory)
        forecaster = try Forecaster(settings: context.configuration.forecast, store: series, logger: context.logger)
        // Daily demand is summed on the applying thread; an item purchased for the first time
        // wakes the trainer for an incremental refit (it is not polled for).
        let demand = series.observer
        context.events.subscribe(
            "forecast",
            EventObserver(
                events: { [series, forecaster] events in
                    let before = series.counts.revision
                    demand.events(events)
                    if series.counts.revision != before { forecaster.refitSoon() }
                },
                items: demand.items
            )
        )
    }

    package var name: String { "forecast" }
    package var families: [any ModelFamily] { [forecaster] }

    package func start(storage events: ServiceStorage) throws {
        storage.set(
            try ForecastStorage.open(
                directory: context.directory,
                store: series,
                configuration: context.configuration,
                logger: context.logger
            )
        )
        try forecaster.start()
    }

    package func register(on routes: inout ServiceRoutes) {
        ForecastRoutes(
            forecaster: forecaster,
            storage: storage.get,
            maxFutureSkew: context.configuration.maxFutureSkew,
            pool: context.pool
        ).register(on: &routes)
    }

    package func stop() {
        forecaster.stop()
        storage.ifStarted?.stop()
    }
}
