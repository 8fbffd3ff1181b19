/* global document, EventSource */
// The orders list, live: the status of each order shown follows the event stream, and orders that
// arrive and are not shown are counted in a polite notice with a link to the list afresh. Without
// this script the page is the same list, current when it was loaded.
'use strict';

(function () {
  const news = document.getElementById('orders-news');
  if (news === null || typeof EventSource === 'undefined') return;
  const rows = new Map();
  for (const row of document.querySelectorAll('tr[data-order-id]')) rows.set(row.dataset.orderId, row);
  const arrived = new Set();

  const showStatus = (row, status) => {
    const badge = row.querySelector('.order-status .status');
    if (badge === null || badge.textContent === status.replace(/_/g, ' ')) return;
    badge.className = `status ${status}`;
    badge.textContent = status.replace(/_/g, ' ');
    row.classList.add('changed');
  };

  const tellArrivals = () => {
    const link = document.createElement('a');
    link.href = news.dataset.show || '/console/orders';
    const count = `${arrived.size} new ${arrived.size === 1 ? 'order' : 'orders'}`;
    // A search the stream cannot apply may or may not hold them: it is run again rather than promised.
    link.textContent = news.dataset.narrowed === 'true' ? `${count} arrived — search again` : `${count} — show them`;
    news.replaceChildren(link);
  };

  // Unnamed events (named=false): onmessage hears every cause, whatever new ones the gateway adds.
  const url = news.dataset.stream || '/v1/stream';
  const source = new EventSource(`${url}${url.includes('?') ? '&' : '?'}named=false`);
  source.onmessage = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    const row = rows.get(event.orderId);
    if (row !== undefined) showStatus(row, event.to);
    else if (event.from === null && !arrived.has(event.orderId)) {
      arrived.add(event.orderId);
      tellArrivals();
    }
  };
})();
