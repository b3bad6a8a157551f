//! E-mailing an alert through the bank's SMTP server (`--smtp-url`).

use super::Sent;
use crate::config::Config;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The longest one SMTP step may take.
const TIMEOUT: std::time::Duration = super::post::TIMEOUT;

/// The SMTP connection settings and the sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer `config` sets up, if any; an error names the setting.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>, String> {
        let Some(url) = config.smtp_url.as_deref() else {
            return Ok(None);
        };
        let Some(from) = config.smtp_from.as_deref() else {
            return Err(
                "--smtp-url is set without --smtp-from (BRANCHPULSE_SMTP_FROM): name the sender, \
                 e.g. \"BranchPulse <alerts@bank.example>\""
                    .into(),
            );
        };
        let from: Mailbox = from.parse().map_err(|e| {
            format!("--smtp-from (BRANCHPULSE_SMTP_FROM): not an e-mail address: {e}")
        })?;
        // The URL may hold a password: the error names the setting, not the value.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                format!(
                    "--smtp-url (BRANCHPULSE_SMTP_URL): {e}; write smtp://host:25, \
                     smtp://user:password@host:587?tls=required or smtps://user:password@host:465"
                )
            })?
            .timeout(Some(TIMEOUT))
            .build();
        Ok(Some(Mailer { transport, from }))
    }

    /// Send a plain-text mail to `to`.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Sent {
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(e) => return Sent::permanent(format!("\"{to}\" is not an e-mail address: {e}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let message = match message {
            Ok(message) => message,
            Err(e) => return Sent::permanent(format!("the mail cannot be written: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Sent::delivered(None),
            // A 5xx reply (no such mailbox, refused) will not change by waiting.
            Err(e) if e.is_permanent() => {
                Sent::permanent(format!("the mail server refused it: {e}"))
            }
            Err(e) => Sent::failed(None, format!("SMTP: {e}")),
        }
    }
}
