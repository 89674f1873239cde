const balanceFields = 'unit lifetime pending available paidOut paidByNetwork reserved pendingReversals uncollected spendable withheld { total reasons { reason amount source merchantId merchant { name } merchantOrderId commissionId } }';
const transactionFields = 'source commissionId state amount unit saleAmount saleCurrency merchantId merchant { id name logoUrl } merchantOrderId eventDate modifiedDate lockingDate statusExplanation paidOutAmount';

/**
 * Everything above the transactions list, in two requests sent together (one would exceed the
 * query service's default cost limit): the cards, the schedule, payouts and the chart; and what is waiting.
 */
export const summaryQuery = `query DashboardSummary($aui: ID!) {
  earnings(aui: $aui) { aui updatedAt balances { ${balanceFields} } securityHold { until methodChangedAt } }
  payoutSchedule(aui: $aui) { unit threshold available spendable remaining reached review nextRunAt }
  payouts(aui: $aui, first: 20) { edges { node { id unit amount method state createdAt executedAt endedAt reason } } }
  earningsHistory(aui: $aui, points: 40) { unit points { at lifetime paidOut } }
}`;

export const waitingQuery = `query DashboardWaiting($aui: ID!) {
  waiting: transactions(aui: $aui, states: [PENDING, CONFIRMED, READY], first: 100) { edges { node { source state amount unit eventDate lockingDate statusExplanation } } }
}`;

export const transactionsQuery = `query DashboardTransactions($aui: ID!, $first: Int, $after: String, $states: [CommissionState!], $unit: String) {
  transactions(aui: $aui, first: $first, after: $after, states: $states, unit: $unit) { edges { cursor node { ${transactionFields} } } pageInfo { hasNextPage endCursor } }
}`;

export const commissionHistoryQuery = `query DashboardCommissionHistory($aui: ID!, $source: String!, $commissionId: ID!) {
  commissionHistory(aui: $aui, source: $source, commissionId: $commissionId) { modifiedDate state sourceStatus amount unit appliedAt statusExplanation }
}`;

export const earningsUpdatedSubscription = `subscription DashboardLive($aui: ID!) {
  earningsUpdated(aui: $aui) { aui updatedAt balances { ${balanceFields} } securityHold { until methodChangedAt } }
}`;

export const statementQuery = `query DashboardStatement($aui: ID!, $unit: String!, $first: Int, $after: String) {
  statement(aui: $aui, unit: $unit, first: $first, after: $after) {
    opening closing
    lines { edges { cursor node { at kind amount balance source commissionId payoutId description } } pageInfo { hasNextPage endCursor } }
  }
}`;
