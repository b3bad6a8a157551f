//! The enrolment QR code as SVG (only `<svg>`, `<rect>` and `<path>`: the
//! admin page shows it as an image, and the Content-Security-Policy allows
//! no data: URLs).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// `url` as an SVG QR code; `None` if it is too long for one.
pub fn svg(url: &str) -> Option<String> {
    // Medium error correction: read from a screen, held at any angle.
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_code_is_plain_svg() {
        let s = super::svg("https://survey.bank.example/kiosk?enrol=ABCDEFGHJK").unwrap();
        assert!(s.contains("<svg") && s.contains("</svg>"));
        assert!(!s.contains("<script") && !s.contains("href"));
    }
}
