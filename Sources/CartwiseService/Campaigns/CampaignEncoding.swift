import HTTPCore

/// Campaigns as JSON: the answer of `POST /campaigns` and `GET /campaigns/{id}`, and the
/// campaigns log's record (which ``CampaignDecoder`` reads back).
package enum CampaignEncoding {
    /// - Parameters:
    ///   - campaign: the campaign.
    ///   - audienceList: whether to list an audience's customers (the log does; answers give
    ///     the count, since a list can hold a million ids).
    /// - Returns: the JSON text.
    package static func campaign(_ campaign: Campaign, audienceList: Bool) -> String {
        var text = "{\"id\":" + JSONString.quote(campaign.id)
        text += ",\"offer\":" + JSONString.quote(campaign.offer)
        text += ",\"channel\":" + JSONString.quote(campaign.channel)
        text += ",\"cost_per_contact\":" + JSONWriter.number(campaign.costPerContact)
        text += ",\"offer_cost\":" + JSONWriter.number(campaign.offerCost)
        if let value = campaign.valuePerResponse { text += ",\"value_per_response\":" + JSONWriter.number(value) }
        switch campaign.audience {
        case .everyone: text += ",\"audience\":{\"everyone\":true}"
        case .segments(let segments):
            text += ",\"audience\":{\"segments\":[" + segments.map(JSONString.quote).joined(separator: ",") + "]}"
        case .customers(let customers):
            if audienceList {
                text += ",\"audience\":{\"customers\":[" + customers.map(JSONString.quote).joined(separator: ",") + "]}"
            } else {
                text += ",\"audience\":{\"customer_count\":\(customers.count)}"
            }
        }
        text += ",\"control_share\":" + JSONWriter.number(campaign.controlShare)
        text += ",\"start\":\"" + Timestamp.format(campaign.start) + "\""
        text += ",\"end\":\"" + Timestamp.format(campaign.end) + "\""
        text += ",\"attribution_days\":\(campaign.attributionDays)"
        text += ",\"outcome\":\"" + campaign.outcome.rawValue + "\""
        text += ",\"seed\":\(campaign.seed)"
        text += ",\"created_at\":\"" + Timestamp.format(campaign.createdAt) + "\""
        return text + "}"
    }
}
