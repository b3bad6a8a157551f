//! Every user-visible string of the app, in zh-CN, en and es.
//!
//! Each language is an exhaustive `match` over [`Key`], so adding a key
//! without translating it into every language fails the build instead of
//! showing a raw key to a customer. (leptos_i18n does the same from JSON
//! files, but its ICU data weighs more than this whole table; the kiosk's
//! first-load budget is 150 KB.)
//!
//! Questionnaire texts are not here: questionnaires carry their own
//! translations (`branchpulse_core::Text`).

use crate::prefs;
use branchpulse_core::Locale;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    AppName,
    Tagline,
    NavLabel,
    NavKiosk,
    NavShop,
    NavDashboard,
    NavAdmin,
    Language,
    Online,
    Offline,
    Waiting,
    LastSync,
    Never,
    LastError,
    None,
    Loading,
    LoadFailed,
    Retry,
    Questionnaires,
    Version,
    Items,
    Sections,
    Dimensions,
    KioskTitle,
    KioskIntro,
    ShopTitle,
    ShopIntro,
    DashboardTitle,
    DashboardIntro,
    AdminTitle,
    AdminIntro,
    NoQuestionnaires,
    NotFoundTitle,
    NotFoundBody,
    GoHome,
    KindKiosk,
    KindMysteryShop,
    DimEmpathy,
    DimProcess,
    DimValue,
    DimTrust,
    DimEnvironment,
    SyncNow,
    Syncing,
    NeedsAttention,
    NothingNeedsAttention,
    ExportJson,
    Delete,
    DeleteConfirm,
    StorageNearlyFull,
    ErrNetwork,
    ErrTimeout,
    ErrServer,
    ErrAnswer,
    ErrStorage,
    ErrSetAside,
    ErrNoOutcome,
}

fn en(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppName => "BranchPulse",
        Tagline => "Customer satisfaction and mystery shopping for bank branches, online or not.",
        NavLabel => "Modes",
        NavKiosk => "Kiosk",
        NavShop => "Mystery shop",
        NavDashboard => "Dashboard",
        NavAdmin => "Admin",
        Language => "Language",
        Online => "Online",
        Offline => "Offline",
        Waiting => "waiting to sync",
        LastSync => "Last sync",
        Never => "never",
        LastError => "Last error",
        None => "none",
        Loading => "Loading…",
        LoadFailed => "Could not load from the server",
        Retry => "Try again",
        Questionnaires => "Questionnaires",
        Version => "version",
        Items => "items",
        Sections => "sections",
        Dimensions => "Dimensions",
        KioskTitle => "Lobby kiosk",
        KioskIntro => "Customers answer a short questionnaire on the lobby tablet, anonymously and in their language.",
        ShopTitle => "Mystery shopper",
        ShopIntro => "Evaluate a branch visit stage by stage; drafts stay on this phone until you submit.",
        DashboardTitle => "Branch dashboard",
        DashboardIntro => "Compare branches on empathy, process convenience, value and trust.",
        AdminTitle => "Administration",
        AdminIntro => "Branches, devices, questionnaires and user accounts.",
        NoQuestionnaires => "No questionnaire of this kind is installed on the server.",
        NotFoundTitle => "Page not found",
        NotFoundBody => "There is no page at this address.",
        GoHome => "Go to the start page",
        KindKiosk => "Lobby kiosk",
        KindMysteryShop => "Mystery shop",
        DimEmpathy => "Empathy",
        DimProcess => "Process convenience",
        DimValue => "Value",
        DimTrust => "Trust",
        DimEnvironment => "Environment",
        SyncNow => "Sync now",
        Syncing => "Syncing…",
        NeedsAttention => "Needs attention",
        NothingNeedsAttention => "Nothing needs attention.",
        ExportJson => "Export as JSON",
        Delete => "Delete",
        DeleteConfirm => "Delete this response from this device for good? Export it first if it is still needed.",
        StorageNearlyFull => "Device storage nearly full",
        ErrNetwork => "Could not reach the server",
        ErrTimeout => "The server did not answer in time",
        ErrServer => "The server refused the batch",
        ErrAnswer => "The server's answer could not be read",
        ErrStorage => "This device's storage failed",
        ErrSetAside => "unreadable saved records were set aside (see Needs attention)",
        ErrNoOutcome => "The server's answer did not mention the responses sent",
    }
}

fn zh(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppName => "BranchPulse 网点脉搏",
        Tagline => "银行网点的客户满意度调查与神秘客检查，有网无网都能用。",
        NavLabel => "模式",
        NavKiosk => "大堂平板",
        NavShop => "神秘客",
        NavDashboard => "管理看板",
        NavAdmin => "系统管理",
        Language => "语言",
        Online => "在线",
        Offline => "离线",
        Waiting => "条待同步",
        LastSync => "上次同步",
        Never => "从未",
        LastError => "最近错误",
        None => "无",
        Loading => "正在加载…",
        LoadFailed => "无法从服务器加载",
        Retry => "重试",
        Questionnaires => "问卷",
        Version => "版本",
        Items => "题",
        Sections => "部分",
        Dimensions => "维度",
        KioskTitle => "大堂自助评价",
        KioskIntro => "客户在大堂平板上用自己的语言匿名填写简短问卷。",
        ShopTitle => "神秘客检查",
        ShopIntro => "按环节评估网点服务；提交前草稿一直保存在本机。",
        DashboardTitle => "网点看板",
        DashboardIntro => "从共情、流程便利、价值和信任四个维度比较各网点。",
        AdminTitle => "系统管理",
        AdminIntro => "网点、设备、问卷和用户账户。",
        NoQuestionnaires => "服务器上没有安装此类问卷。",
        NotFoundTitle => "页面不存在",
        NotFoundBody => "此地址没有页面。",
        GoHome => "返回首页",
        KindKiosk => "大堂自助评价",
        KindMysteryShop => "神秘客检查",
        DimEmpathy => "共情",
        DimProcess => "流程便利",
        DimValue => "价值",
        DimTrust => "信任",
        DimEnvironment => "环境",
        SyncNow => "立即同步",
        Syncing => "正在同步…",
        NeedsAttention => "需处理",
        NothingNeedsAttention => "没有需要处理的记录。",
        ExportJson => "导出为 JSON",
        Delete => "删除",
        DeleteConfirm => "确定要从本设备永久删除这份答卷吗？如仍需要，请先导出。",
        StorageNearlyFull => "设备存储空间将满",
        ErrNetwork => "无法连接服务器",
        ErrTimeout => "服务器未能及时响应",
        ErrServer => "服务器拒收了这批答卷",
        ErrAnswer => "无法读取服务器的回复",
        ErrStorage => "本设备存储出错",
        ErrSetAside => "条无法读取的本地记录已移出（见“需处理”）",
        ErrNoOutcome => "服务器的回复未提及所发送的答卷",
    }
}

fn es(key: Key) -> &'static str {
    use Key::*;
    match key {
        AppName => "BranchPulse",
        Tagline => "Satisfacción de clientes y cliente misterioso para sucursales bancarias, con o sin conexión.",
        NavLabel => "Modos",
        NavKiosk => "Quiosco",
        NavShop => "Cliente misterioso",
        NavDashboard => "Panel",
        NavAdmin => "Administración",
        Language => "Idioma",
        Online => "En línea",
        Offline => "Sin conexión",
        Waiting => "pendientes de sincronizar",
        LastSync => "Última sincronización",
        Never => "nunca",
        LastError => "Último error",
        None => "ninguno",
        Loading => "Cargando…",
        LoadFailed => "No se pudo cargar desde el servidor",
        Retry => "Reintentar",
        Questionnaires => "Cuestionarios",
        Version => "versión",
        Items => "preguntas",
        Sections => "secciones",
        Dimensions => "Dimensiones",
        KioskTitle => "Quiosco del vestíbulo",
        KioskIntro => "Los clientes responden un breve cuestionario en la tableta del vestíbulo, de forma anónima y en su idioma.",
        ShopTitle => "Cliente misterioso",
        ShopIntro => "Evalúe una visita a la sucursal etapa por etapa; los borradores se guardan en este teléfono hasta que los envíe.",
        DashboardTitle => "Panel de sucursales",
        DashboardIntro => "Compare sucursales en empatía, comodidad del proceso, valor y confianza.",
        AdminTitle => "Administración",
        AdminIntro => "Sucursales, dispositivos, cuestionarios y cuentas de usuario.",
        NoQuestionnaires => "No hay ningún cuestionario de este tipo instalado en el servidor.",
        NotFoundTitle => "Página no encontrada",
        NotFoundBody => "No hay ninguna página en esta dirección.",
        GoHome => "Ir a la página de inicio",
        KindKiosk => "Quiosco del vestíbulo",
        KindMysteryShop => "Cliente misterioso",
        DimEmpathy => "Empatía",
        DimProcess => "Comodidad del proceso",
        DimValue => "Valor",
        DimTrust => "Confianza",
        DimEnvironment => "Entorno",
        SyncNow => "Sincronizar ahora",
        Syncing => "Sincronizando…",
        NeedsAttention => "Requiere atención",
        NothingNeedsAttention => "Nada requiere atención.",
        ExportJson => "Exportar como JSON",
        Delete => "Eliminar",
        DeleteConfirm => "¿Eliminar definitivamente esta respuesta de este dispositivo? Expórtela antes si todavía la necesita.",
        StorageNearlyFull => "Almacenamiento del dispositivo casi lleno",
        ErrNetwork => "No se pudo conectar con el servidor",
        ErrTimeout => "El servidor no respondió a tiempo",
        ErrServer => "El servidor rechazó el lote",
        ErrAnswer => "No se pudo leer la respuesta del servidor",
        ErrStorage => "Falló el almacenamiento de este dispositivo",
        ErrSetAside => "registros guardados ilegibles se apartaron (ver «Requiere atención»)",
        ErrNoOutcome => "La respuesta del servidor no menciona las respuestas enviadas",
    }
}

/// The string for `key` in `locale`.
pub fn text(locale: Locale, key: Key) -> &'static str {
    match locale {
        Locale::ZhCn => zh(key),
        Locale::En => en(key),
        Locale::Es => es(key),
    }
}

/// The current language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

/// Provide the language: the saved choice, else the browser's, else English.
pub fn provide_i18n() -> I18n {
    let locale = prefs::saved_locale().unwrap_or_else(prefs::browser_locale);
    let i18n = I18n(RwSignal::new(locale));
    set_document_lang(locale);
    provide_context(i18n);
    i18n
}

pub fn use_locale() -> RwSignal<Locale> {
    expect_context::<I18n>().0
}

/// Switch language, remember it, and tell assistive tech via `<html lang>`.
pub fn set_locale(locale: Locale) {
    use_locale().set(locale);
    prefs::save_locale(locale);
    set_document_lang(locale);
}

fn set_document_lang(locale: Locale) {
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("lang", locale.tag());
    }
}

/// A reactive translated string, for use in views.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move || text(locale.get(), key)
}

pub fn dimension_key(d: branchpulse_core::Dimension) -> Key {
    use branchpulse_core::Dimension::*;
    match d {
        Empathy => Key::DimEmpathy,
        ProcessConvenience => Key::DimProcess,
        Value => Key::DimValue,
        Trust => Key::DimTrust,
        Environment => Key::DimEnvironment,
    }
}
