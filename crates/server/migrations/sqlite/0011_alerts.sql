-- Issue 20, alerts: the silent-kiosk sweep asks each kiosk for its last
-- response (by the server's clock) every few minutes; without this index
-- each question would read every response.
CREATE INDEX responses_enrolled_device_received ON responses (enrolled_device, received_at);
