//! What a problem code from the server (or from core's checks) says, in
//! the user's language.
//!
//! One exhaustive `match` over [`ProblemCode`] with the text of each code
//! in en, zh-CN and es: a code added to core without its text here, or a
//! text without one of the languages, fails the build. The texts live here
//! rather than in `crate::i18n`'s table, which every bundle carries: only
//! the bundles that say problems (the admin's) pay for them.

use branchpulse_core::access::{
    MAX_LABEL_CHARS, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
};
use branchpulse_core::alerts::MAX_TARGETS;
use branchpulse_core::{Locale, ProblemCode};

/// A code's text in each of the app's languages: a field left out fails
/// the build, as a missing language does in `crate::i18n`.
struct Said {
    en: &'static str,
    zh: &'static str,
    es: &'static str,
}

/// What goes with a code's text.
enum With {
    Nothing,
    /// The limit, put in place of the text's `{n}`.
    Count(usize),
    /// The server's English sentence: the code says what kind of problem,
    /// the sentence which item, id or value (a questionnaire's item, the
    /// thing not found).
    Detail,
}

/// `code` said in `l`; `english` is the server's (or the check's) own
/// sentence, added where the code alone does not say enough.
pub fn say(code: ProblemCode, english: &str, l: Locale) -> String {
    use ProblemCode::*;
    let (said, with) = match code {
        BadRequest => (
            Said {
                en: "The request was refused",
                zh: "请求被拒绝",
                es: "La solicitud fue rechazada",
            },
            With::Detail,
        ),
        MalformedJson => (
            Said {
                en: "The request could not be read",
                zh: "无法读取该请求",
                es: "No se pudo leer la solicitud",
            },
            With::Detail,
        ),
        UnexpectedJson => (
            Said {
                en: "The request has a value of the wrong kind",
                zh: "请求中有类型不对的值",
                es: "La solicitud tiene un valor de tipo incorrecto",
            },
            With::Detail,
        ),
        BadQuery => (
            Said {
                en: "A parameter of the address cannot be used",
                zh: "地址中的参数无法使用",
                es: "Un parámetro de la dirección no se puede usar",
            },
            With::Detail,
        ),
        UnsupportedMediaType => (
            Said {
                en: "The server does not take files of this type",
                zh: "服务器不接受此类型的文件",
                es: "El servidor no acepta archivos de este tipo",
            },
            With::Nothing,
        ),
        TooLarge => (
            Said {
                en: "Too large for the server",
                zh: "内容太大，服务器无法接收",
                es: "Demasiado grande para el servidor",
            },
            With::Detail,
        ),
        NotFound => (
            Said {
                en: "Not found",
                zh: "未找到",
                es: "No encontrado",
            },
            With::Detail,
        ),
        MethodNotAllowed => (
            Said {
                en: "The server does not allow this here",
                zh: "服务器不允许此操作",
                es: "El servidor no permite esta operación aquí",
            },
            With::Nothing,
        ),
        SignInRequired => (
            Said {
                en: "Sign in first",
                zh: "请先登录",
                es: "Inicie sesión primero",
            },
            With::Nothing,
        ),
        BadCredentials => (
            Said {
                en: "Wrong user name or password",
                zh: "用户名或密码错误",
                es: "Nombre de usuario o contraseña incorrectos",
            },
            With::Nothing,
        ),
        SessionExpired => (
            Said {
                en: "Your session has ended: sign in again",
                zh: "会话已结束，请重新登录",
                es: "Su sesión terminó: inicie sesión de nuevo",
            },
            With::Nothing,
        ),
        DeviceTokenRefused => (
            Said {
                en: "This device must be enrolled again",
                zh: "此设备须重新登记",
                es: "Hay que registrar de nuevo este dispositivo",
            },
            With::Nothing,
        ),
        EnrolmentCodeRefused => (
            Said {
                en: "This code is unknown, used or expired: ask an admin for a new one",
                zh: "此登记码无效、已使用或已过期，请向管理员索取新的登记码",
                es: "Este código es desconocido, ya se usó o venció: pida uno nuevo a un administrador",
            },
            With::Nothing,
        ),
        Csrf => (
            Said {
                en: "The request was refused for safety: reload the page and try again",
                zh: "出于安全原因，请求被拒绝：请重新加载页面后再试",
                es: "La solicitud fue rechazada por seguridad: recargue la página e inténtelo de nuevo",
            },
            With::Nothing,
        ),
        RateLimited => (
            Said {
                en: "Too many attempts: wait a moment and try again",
                zh: "尝试次数过多，请稍后再试",
                es: "Demasiados intentos: espere un momento e inténtelo de nuevo",
            },
            With::Nothing,
        ),
        Forbidden => (
            Said {
                en: "Your account may not do this",
                zh: "您的账户无权执行此操作",
                es: "Su cuenta no puede hacer esto",
            },
            With::Detail,
        ),
        AdminOnly => (
            Said {
                en: "Only an admin may do this",
                zh: "只有管理员可以执行此操作",
                es: "Solo un administrador puede hacer esto",
            },
            With::Nothing,
        ),
        DevicesOnly => (
            Said {
                en: "Only enrolled devices send responses",
                zh: "只有已登记的设备可以提交答卷",
                es: "Solo los dispositivos registrados envían respuestas",
            },
            With::Nothing,
        ),
        NoScope => (
            Said {
                en: "Your account reads no branch: ask an admin to check it",
                zh: "您的账户无权查看任何网点，请联系管理员检查",
                es: "Su cuenta no ve ninguna sucursal: pida a un administrador que la revise",
            },
            With::Nothing,
        ),
        OutsideScope => (
            Said {
                en: "is outside the branches your account reads",
                zh: "超出您的账户可查看的网点范围",
                es: "está fuera de las sucursales que ve su cuenta",
            },
            With::Nothing,
        ),
        Empty => (
            Said {
                en: "must not be empty",
                zh: "不能为空",
                es: "no puede estar vacío",
            },
            With::Nothing,
        ),
        TooLong => (
            Said {
                en: "must be at most {n} characters",
                zh: "最多 {n} 个字符",
                es: "debe tener como máximo {n} caracteres",
            },
            With::Count(MAX_LABEL_CHARS),
        ),
        ScenarioTooLong => (
            Said {
                en: "is too long",
                zh: "太长",
                es: "es demasiado largo",
            },
            With::Nothing,
        ),
        ControlCharacters => (
            Said {
                en: "must not contain control characters",
                zh: "不能包含控制字符",
                es: "no puede contener caracteres de control",
            },
            With::Nothing,
        ),
        BadPhone => (
            Said {
                en: "is not a phone number: 6 to 15 digits, with + - ( ) . or spaces",
                zh: "不是有效的电话号码：6 至 15 位数字，可含 + - ( ) . 或空格",
                es: "no es un número de teléfono: de 6 a 15 dígitos, con + - ( ) . o espacios",
            },
            With::Nothing,
        ),
        BadEmail => (
            Said {
                en: "is not an e-mail address such as name@example.com",
                zh: "不是有效的电子邮件地址，例如 name@example.com",
                es: "no es una dirección de correo como nombre@ejemplo.com",
            },
            With::Nothing,
        ),
        OutOfRange => (
            Said {
                en: "is outside the allowed range",
                zh: "超出允许的范围",
                es: "está fuera del rango permitido",
            },
            With::Nothing,
        ),
        TooMany => (
            Said {
                en: "at most {n} entries",
                zh: "最多 {n} 项",
                es: "como máximo {n} elementos",
            },
            With::Count(MAX_TARGETS),
        ),
        BadWebhookUrl => (
            Said {
                en: "is not an address the server can send to: http:// or https://, a host, no user name or password, at most {n} characters",
                zh: "不是服务器可以发送到的地址：须以 http:// 或 https:// 开头并包含主机名，不含用户名或密码，最多 {n} 个字符",
                es: "no es una dirección a la que el servidor pueda enviar: http:// o https://, un servidor, sin usuario ni contraseña, de {n} caracteres como máximo",
            },
            With::Count(branchpulse_core::webhooks::MAX_URL_CHARS),
        ),
        UsernameLength => (
            Said {
                en: "must be 1 to {n} characters",
                zh: "须为 1 到 {n} 个字符",
                es: "debe tener de 1 a {n} caracteres",
            },
            With::Count(MAX_USERNAME_CHARS),
        ),
        UsernameCharacters => (
            Said {
                en: "may hold only letters, digits and . _ - @",
                zh: "只能包含字母、数字和 . _ - @",
                es: "solo puede tener letras, dígitos y . _ - @",
            },
            With::Nothing,
        ),
        PasswordTooShort => (
            Said {
                en: "must be at least {n} characters",
                zh: "至少须有 {n} 个字符",
                es: "debe tener al menos {n} caracteres",
            },
            With::Count(MIN_PASSWORD_CHARS),
        ),
        PasswordTooLong => (
            Said {
                en: "must be at most {n} characters",
                zh: "最多 {n} 个字符",
                es: "debe tener como máximo {n} caracteres",
            },
            With::Count(MAX_PASSWORD_CHARS),
        ),
        PasswordIsUsername => (
            Said {
                en: "must not be the user name",
                zh: "不能与用户名相同",
                es: "no puede ser el nombre de usuario",
            },
            With::Nothing,
        ),
        BranchCodeFormat => (
            Said {
                en: "must be 1 to 16 of A-Z, 0-9, - and _ (e.g. N01)",
                zh: "须为 1 到 16 个 A-Z、0-9、- 和 _ 字符（例如 N01）",
                es: "debe tener de 1 a 16 caracteres entre A-Z, 0-9, - y _ (p. ej., N01)",
            },
            With::Nothing,
        ),
        BranchCodeChanged => (
            Said {
                en: "a branch's code cannot change",
                zh: "网点代码不能更改",
                es: "el código de una sucursal no puede cambiar",
            },
            With::Nothing,
        ),
        AdminHasNoScope => (
            Said {
                en: "an admin reads everything: choose no branch or region",
                zh: "管理员可查看全部：请勿选择网点或区域",
                es: "un administrador ve todo: no elija sucursal ni región",
            },
            With::Nothing,
        ),
        RegionalTakesRegion => (
            Said {
                en: "a regional manager has a region, not a branch",
                zh: "区域经理对应区域，而不是网点",
                es: "un gerente regional tiene una región, no una sucursal",
            },
            With::Nothing,
        ),
        ManagerTakesBranch => (
            Said {
                en: "a manager has a branch, not a region",
                zh: "网点经理对应网点，而不是区域",
                es: "un gerente de sucursal tiene una sucursal, no una región",
            },
            With::Nothing,
        ),
        KioskTakesBranch => (
            Said {
                en: "a kiosk has a branch, not a shopper",
                zh: "评价终端对应网点，而不是神秘顾客",
                es: "un quiosco tiene una sucursal, no un cliente misterioso",
            },
            With::Nothing,
        ),
        PhoneTakesShopper => (
            Said {
                en: "a shopper's phone has a shopper, not a branch",
                zh: "神秘顾客的手机对应神秘顾客，而不是网点",
                es: "el teléfono de un cliente misterioso tiene un cliente misterioso, no una sucursal",
            },
            With::Nothing,
        ),
        PinInvalid => (
            Said {
                en: "a staff PIN is 4 to 8 digits",
                zh: "员工 PIN 码须为 4 至 8 位数字",
                es: "el PIN del personal tiene de 4 a 8 dígitos",
            },
            With::Nothing,
        ),
        PinOnlyForKiosks => (
            Said {
                en: "only a kiosk has a staff PIN",
                zh: "只有评价终端设有员工 PIN 码",
                es: "solo un quiosco tiene PIN del personal",
            },
            With::Nothing,
        ),
        UnknownBranch => (
            Said {
                en: "no such branch: choose one from the list",
                zh: "没有此网点，请从列表中选择",
                es: "no existe esa sucursal: elija una de la lista",
            },
            With::Nothing,
        ),
        UnknownRegion => (
            Said {
                en: "no branch is in this region: choose one from the list",
                zh: "此区域没有网点，请从列表中选择",
                es: "ninguna sucursal está en esta región: elija una de la lista",
            },
            With::Nothing,
        ),
        UnknownWebhook => (
            Said {
                en: "no webhook has this id: choose one from the list",
                zh: "没有此 ID 的 Webhook，请从列表中选择",
                es: "ningún webhook tiene este identificador: elija uno de la lista",
            },
            With::Nothing,
        ),
        BranchClosed => (
            Said {
                en: "this branch is closed: choose an open one",
                zh: "此网点已关闭，请选择营业中的网点",
                es: "esta sucursal está cerrada: elija una abierta",
            },
            With::Nothing,
        ),
        UnknownQuestionnaire => (
            Said {
                en: "no such questionnaire: choose one from the list",
                zh: "没有此问卷，请从列表中选择",
                es: "no existe ese cuestionario: elija uno de la lista",
            },
            With::Nothing,
        ),
        NotMysteryShop => (
            Said {
                en: "is not a mystery-shop questionnaire",
                zh: "不是暗访问卷",
                es: "no es un cuestionario de cliente misterioso",
            },
            With::Nothing,
        ),
        NothingToChange => (
            Said {
                en: "there is nothing to change",
                zh: "没有需要更改的内容",
                es: "no hay nada que cambiar",
            },
            With::Nothing,
        ),
        BadDate => (
            Said {
                en: "give a date as YYYY-MM-DD",
                zh: "请以 YYYY-MM-DD 格式填写日期",
                es: "escriba la fecha como AAAA-MM-DD",
            },
            With::Nothing,
        ),
        DateOutOfRange => (
            Said {
                en: "is outside the dates the dashboard covers",
                zh: "超出看板涵盖的日期范围",
                es: "está fuera de las fechas que cubre el panel",
            },
            With::Nothing,
        ),
        EmptyDateRange => (
            Said {
                en: "the start date is after the end date",
                zh: "开始日期晚于结束日期",
                es: "la fecha de inicio es posterior a la de fin",
            },
            With::Nothing,
        ),
        BadAgainst => (
            Said {
                en: "compare with the network or with peers",
                zh: "请选择与全网或同类网点比较",
                es: "compare con la red o con sucursales del mismo formato",
            },
            With::Nothing,
        ),
        UnknownFormat => (
            Said {
                en: "no such branch format: choose one from the list",
                zh: "没有此网点类型，请从列表中选择",
                es: "no existe ese formato de sucursal: elija uno de la lista",
            },
            With::Nothing,
        ),
        FormatCodeFormat => (
            Said {
                en: "use 1 to 32 lowercase letters a-z, digits or _",
                zh: "请使用 1 到 32 个小写字母 a-z、数字或 _",
                es: "use de 1 a 32 letras minúsculas a-z, dígitos o _",
            },
            With::Nothing,
        ),
        FormatExists => (
            Said {
                en: "a format with this code exists",
                zh: "已有使用此代码的网点类型",
                es: "ya existe un formato con este código",
            },
            With::Nothing,
        ),
        FormatInUse => (
            Said {
                en: "branches still have this format: give them another first",
                zh: "仍有网点属于此类型，请先为其更换类型",
                es: "hay sucursales con este formato: asígneles otro primero",
            },
            With::Nothing,
        ),
        BadChannel => (
            Said {
                en: "is not a channel: use kiosk or mystery shop",
                zh: "不是有效的渠道：请使用评价终端或暗访",
                es: "no es un canal: use quiosco o cliente misterioso",
            },
            With::Nothing,
        ),
        BadLimit => (
            Said {
                en: "the limit is out of range",
                zh: "数量上限超出范围",
                es: "el límite está fuera de rango",
            },
            With::Nothing,
        ),
        SearchTooLong => (
            Said {
                en: "the search is too long",
                zh: "搜索内容太长",
                es: "la búsqueda es demasiado larga",
            },
            With::Nothing,
        ),
        QuestionnaireUnreadable => (
            Said {
                en: "This file is not a questionnaire",
                zh: "此文件不是问卷",
                es: "Este archivo no es un cuestionario",
            },
            With::Detail,
        ),
        QuestionnaireInvalid => (
            Said {
                en: "This questionnaire cannot be used",
                zh: "此问卷无法使用",
                es: "Este cuestionario no se puede usar",
            },
            With::Detail,
        ),
        ReservedId => (
            Said {
                en: "this id is reserved: choose another",
                zh: "此 ID 为保留值，请另选",
                es: "este id está reservado: elija otro",
            },
            With::Nothing,
        ),
        EmptyBatch => (
            Said {
                en: "There is nothing to send",
                zh: "没有可发送的内容",
                es: "No hay nada que enviar",
            },
            With::Nothing,
        ),
        ResponseWithoutId => (
            Said {
                en: "A response has no id",
                zh: "有答卷缺少 ID",
                es: "Una respuesta no tiene id",
            },
            With::Detail,
        ),
        Conflict => (
            Said {
                en: "This conflicts with what exists",
                zh: "与现有内容冲突",
                es: "Esto entra en conflicto con lo que ya existe",
            },
            With::Detail,
        ),
        UsernameTaken => (
            Said {
                en: "this user name is taken",
                zh: "此用户名已被使用",
                es: "este nombre de usuario ya está en uso",
            },
            With::Nothing,
        ),
        BranchExists => (
            Said {
                en: "a branch has this code already",
                zh: "已有网点使用此代码",
                es: "ya hay una sucursal con este código",
            },
            With::Nothing,
        ),
        QuestionnaireVersionExists => (
            Said {
                en: "This questionnaire version exists already: upload it with a higher version",
                zh: "此问卷版本已存在，请以更高的版本号上传",
                es: "Esta versión del cuestionario ya existe: súbala con una versión mayor",
            },
            With::Nothing,
        ),
        OwnAccount => (
            Said {
                en: "you cannot do this to your own account",
                zh: "不能对自己的账户执行此操作",
                es: "no puede hacer esto con su propia cuenta",
            },
            With::Nothing,
        ),
        LastAdmin => (
            Said {
                en: "this is the last active admin: make another admin first",
                zh: "这是最后一位在用的管理员，请先设置另一位管理员",
                es: "es el último administrador activo: cree otro administrador primero",
            },
            With::Nothing,
        ),
        CaseExists => (
            Said {
                en: "this alert is already followed up in a case",
                zh: "此预警已有跟进事项",
                es: "esta alerta ya tiene un caso de seguimiento",
            },
            With::Nothing,
        ),
        CaseStep => (
            Said {
                en: "the case cannot go to this status from the one it is in",
                zh: "跟进事项无法从当前状态转到该状态",
                es: "el caso no puede pasar a este estado desde el actual",
            },
            With::Nothing,
        ),
        OwnerNotEligible => (
            Said {
                en: "must be an active branch manager, regional manager or administrator in charge of this branch",
                zh: "须为负责该网点的在用网点经理、区域经理或管理员",
                es: "debe ser un gerente de sucursal, gerente regional o administrador activo a cargo de esta sucursal",
            },
            With::Nothing,
        ),
        DueOutOfRange => (
            Said {
                en: "must be between the day of the alert and a year from today",
                zh: "须在预警当日至一年后之间",
                es: "debe estar entre el día de la alerta y un año a partir de hoy",
            },
            With::Nothing,
        ),
        Unavailable => (
            Said {
                en: "The server is busy: try again shortly",
                zh: "服务器繁忙，请稍后再试",
                es: "El servidor está ocupado: inténtelo de nuevo en un momento",
            },
            With::Nothing,
        ),
        Internal => (
            Said {
                en: "The server failed: the details are in its log",
                zh: "服务器出错，详情见服务器日志",
                es: "El servidor falló: los detalles están en su bitácora",
            },
            With::Nothing,
        ),
    };
    let said = match l {
        Locale::En => said.en,
        Locale::ZhCn => said.zh,
        Locale::Es => said.es,
    };
    match with {
        With::Nothing => said.to_string(),
        With::Count(n) => said.replace("{n}", &n.to_string()),
        With::Detail if english.is_empty() => said.to_string(),
        With::Detail => format!("{said}: {english}"),
    }
}
