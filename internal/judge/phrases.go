package judge

import "strings"

// category is what a phrase says about the page it heads.
type category int

const (
	// catDenied: access denied, unauthorized, no permission. A soft 401
	// wherever the page came from.
	catDenied category = iota
	// catLoginRequired: "login required", "please sign in to continue",
	// "session expired". A soft 401 unless the page is itself a login form
	// the user opened on purpose.
	catLoginRequired
	// catSignIn: the title of a sign-in page ("Sign in", "Anmelden").
	// Only a soft 401 when a redirect led there.
	catSignIn
	numCategories
)

type phrase struct {
	text   string // normalised (see norm), without the "…" of a prefix phrase
	prefix bool   // only has to start the title or heading
	lang   string // English name of the language
	gloss  string // what it means in English, for the reason
	cat    category
}

// language lists the phrases of one language. Each entry is "phrase" or
// "phrase = English gloss"; a phrase ending in "…" only has to start the
// title or heading. Phrases are written normalised: lower case, single
// spaces, straight apostrophes.
//
// They are the wordings denial and sign-in pages commonly use in each
// language (server and framework defaults, hosted products, intranet
// portals), written from knowledge of such pages rather than scraped. Each
// is a whole phrase a page would use as its title or heading; single words
// that also occur in ordinary headings ("Access", "Konto") are listed only
// as sign-in titles, which count only after a redirect, and status-like
// labels a healthy page may show ("Not logged in") are left out.
type language struct {
	name                          string
	denied, loginRequired, signIn []string
}

var languages = []language{
	{
		name: "English",
		denied: []string{
			"access denied", "access is denied", "permission denied", "unauthorized", "unauthorised",
			"unauthorized access", "unauthorised access", "unauthorized request", "not authorized",
			"not authorised", "not authenticated", "authorization required", "authorisation required",
			"authentication required", "authentication failed", "authorization failed",
			"access restricted", "restricted access", "access forbidden", "access required", "no access",
			"you don't have access", "you do not have access", "you need access", "you need permission",
			"insufficient permissions", "insufficient privileges", "invalid credentials",
			"you are not authorized", "you are not authorised", "you're not authorized",
			"you are not authorized to…", "you are not authorised to…", "you're not authorized to…",
			"you do not have permission to…", "you don't have permission to…",
			"you do not have access to…", "you don't have access to…", "you need permission to…",
			"access to this page is restricted", "access to this page is denied",
		},
		loginRequired: []string{
			"login required", "log in required", "login is required", "sign in required",
			"sign-in required", "signin required", "sign in is required",
			"you must be logged in", "you must log in", "you must sign in", "you must be signed in",
			"you need to log in", "you need to sign in", "you need to be logged in", "you need to be signed in",
			"you must be logged in to…", "you must be signed in to…", "you need to log in to…",
			"you need to sign in to…", "please log in to…", "please sign in to…", "please login to…",
			"log in to continue", "sign in to continue", "login to continue",
			"session expired", "your session has expired", "your session expired", "session timed out",
			"your session has timed out", "you are not logged in", "you're not logged in",
		},
		signIn: []string{
			"sign in", "sign-in", "signin", "log in", "log-in", "login", "log on", "logon", "sign on",
			"please sign in", "please log in", "please login", "member login", "user login", "account login",
		},
	},
	{
		name: "Russian",
		denied: []string{
			"доступ запрещен = access denied", "доступ закрыт = access closed",
			"доступ ограничен = access restricted", "отказано в доступе = access denied",
			"в доступе отказано = access denied", "нет доступа = no access",
			"у вас нет доступа = you have no access", "у вас нет доступа к… = you have no access to",
			"у вас нет прав… = you have no rights", "недостаточно прав = insufficient rights",
			"недостаточно прав доступа = insufficient access rights", "не авторизован = unauthorized",
			"вы не авторизованы = you are not authorized", "требуется авторизация = authorization required",
			"необходима авторизация = authorization required",
			"требуется аутентификация = authentication required",
			"ошибка авторизации = authorization error", "ошибка доступа = access error",
			"несанкционированный доступ = unauthorized access",
		},
		loginRequired: []string{
			"требуется вход = sign-in required", "требуется вход в систему = sign-in required",
			"необходимо войти в систему = you need to sign in",
			"войдите, чтобы продолжить = sign in to continue",
			"войдите, чтобы… = sign in to", "сессия истекла = session expired",
			"срок действия сессии истек = session expired", "вы не вошли в систему = you are not signed in",
		},
		signIn: []string{
			"вход = sign in", "войти = sign in", "вход в систему = sign in",
			"вход в личный кабинет = sign in to your account", "вход в аккаунт = sign in to your account",
			"авторизация = sign in", "войдите в систему = sign in", "вход на сайт = sign in",
		},
	},
	{
		name: "German",
		denied: []string{
			"zugriff verweigert = access denied", "zugang verweigert = access denied",
			"zugriff nicht erlaubt = access not allowed", "zugriff nicht gestattet = access not permitted",
			"zugriff abgelehnt = access refused", "kein zugriff = no access", "kein zugang = no access",
			"keine berechtigung = no permission", "fehlende berechtigung = missing permission",
			"nicht autorisiert = unauthorized", "nicht berechtigt = not permitted",
			"unberechtigter zugriff = unauthorized access", "zugriff verboten = access forbidden",
			"autorisierung erforderlich = authorization required",
			"authentifizierung erforderlich = authentication required",
			"berechtigung erforderlich = permission required",
			"sie sind nicht berechtigt… = you are not authorized",
			"sie haben keine berechtigung… = you do not have permission",
			"sie haben keinen zugriff… = you do not have access",
			"du hast keine berechtigung… = you do not have permission",
			"du bist nicht berechtigt… = you are not authorized",
		},
		loginRequired: []string{
			"anmeldung erforderlich = sign-in required", "login erforderlich = login required",
			"sie müssen angemeldet sein = you must be signed in",
			"sie müssen angemeldet sein, um… = you must be signed in to",
			"bitte melden sie sich an, um… = please sign in to",
			"sitzung abgelaufen = session expired", "ihre sitzung ist abgelaufen = your session has expired",
			"sie sind nicht angemeldet = you are not signed in",
		},
		signIn: []string{
			"anmelden = sign in", "anmeldung = sign-in", "einloggen = log in",
			"bei ihrem konto anmelden = sign in to your account",
			"melden sie sich an = sign in", "bitte melden sie sich an = please sign in",
			"bitte anmelden = please sign in",
		},
	},
	{
		name: "French",
		denied: []string{
			"accès refusé = access denied", "accès interdit = access forbidden",
			"accès non autorisé = unauthorized access", "non autorisé = unauthorized",
			"accès restreint = restricted access", "autorisation requise = authorization required",
			"authentification requise = authentication required", "permission refusée = permission denied",
			"vous n'êtes pas autorisé = you are not authorized",
			"vous n'êtes pas autorisé à… = you are not authorized to",
			"vous n'avez pas l'autorisation… = you do not have permission",
			"vous n'avez pas les droits… = you do not have the rights",
			"vous n'avez pas accès… = you do not have access",
			"vous n'avez pas la permission… = you do not have permission",
		},
		loginRequired: []string{
			"connexion requise = sign-in required", "connexion obligatoire = sign-in required",
			"identification requise = sign-in required",
			"vous devez être connecté = you must be signed in",
			"vous devez être connecté pour… = you must be signed in to",
			"vous devez vous connecter… = you must sign in",
			"veuillez vous connecter pour… = please sign in to",
			"session expirée = session expired", "votre session a expiré = your session has expired",
			"vous n'êtes pas connecté = you are not signed in",
		},
		signIn: []string{
			"connexion = sign in", "se connecter = sign in", "connectez-vous = sign in",
			"identifiez-vous = sign in", "identification = sign in", "ouvrir une session = sign in",
			"veuillez vous connecter = please sign in", "authentification = sign in",
		},
	},
	{
		name: "Spanish",
		denied: []string{
			"acceso denegado = access denied", "acceso no autorizado = unauthorized access",
			"no autorizado = unauthorized", "acceso restringido = restricted access",
			"acceso prohibido = access forbidden", "permiso denegado = permission denied",
			"autenticación requerida = authentication required",
			"se requiere autenticación = authentication required",
			"se requiere autorización = authorization required",
			"autorización requerida = authorization required",
			"no tiene permiso… = you do not have permission", "no tienes permiso… = you do not have permission",
			"no tiene permisos… = you do not have permission", "no tienes permisos… = you do not have permission",
			"no tiene acceso… = you do not have access", "no tienes acceso… = you do not have access",
			"no está autorizado… = you are not authorized", "no estás autorizado… = you are not authorized",
		},
		loginRequired: []string{
			"inicio de sesión requerido = sign-in required",
			"se requiere iniciar sesión = sign-in required",
			"debe iniciar sesión = you must sign in", "debes iniciar sesión = you must sign in",
			"debe iniciar sesión para… = you must sign in to", "debes iniciar sesión para… = you must sign in to",
			"inicie sesión para… = sign in to", "inicia sesión para… = sign in to",
			"sesión expirada = session expired", "su sesión ha expirado = your session has expired",
			"tu sesión ha expirado = your session has expired", "la sesión ha caducado = the session has expired",
			"su sesión ha caducado = your session has expired", "tu sesión ha caducado = your session has expired",
		},
		signIn: []string{
			"iniciar sesión = sign in", "inicia sesión = sign in", "inicie sesión = sign in",
			"acceder = sign in", "ingresar = sign in", "identificarse = sign in", "entrar = sign in",
			"acceso = sign in",
		},
	},
	{
		name: "Portuguese",
		denied: []string{
			"acesso negado = access denied", "acesso não autorizado = unauthorized access",
			"não autorizado = unauthorized", "acesso restrito = restricted access",
			"acesso proibido = access forbidden", "permissão negada = permission denied",
			"autenticação necessária = authentication required",
			"autenticação obrigatória = authentication required",
			"autorização necessária = authorization required",
			"você não tem permissão… = you do not have permission",
			"você não tem acesso… = you do not have access",
			"você não está autorizado… = you are not authorized",
			"não tem permissão… = you do not have permission",
			"sem permissão de acesso = no access permission",
		},
		loginRequired: []string{
			"login necessário = login required", "login obrigatório = login required",
			"é necessário fazer login = you need to sign in",
			"é necessário iniciar sessão = you need to sign in",
			"é necessário estar logado = you need to be signed in",
			"você precisa fazer login = you need to sign in",
			"você precisa estar logado = you need to be signed in",
			"faça login para… = sign in to", "faça o login para… = sign in to",
			"inicie sessão para… = sign in to", "você precisa fazer login para… = you need to sign in to",
			"sessão expirada = session expired", "sua sessão expirou = your session has expired",
			"a sua sessão expirou = your session has expired", "a sessão expirou = the session has expired",
		},
		signIn: []string{
			"entrar = sign in", "iniciar sessão = sign in", "fazer login = sign in", "faça login = sign in",
			"faça o login = sign in", "acessar = sign in", "acesse sua conta = sign in to your account",
			"inicie sessão = sign in", "entrar na sua conta = sign in to your account", "acesso = sign in",
		},
	},
	{
		name: "Chinese",
		denied: []string{
			"访问被拒绝 = access denied", "拒绝访问 = access denied", "禁止访问 = access forbidden",
			"无权访问 = no permission to access", "无权限访问 = no permission to access",
			"没有权限 = no permission", "没有访问权限 = no access permission",
			"无访问权限 = no access permission", "权限不足 = insufficient permission",
			"未授权 = unauthorized", "未经授权 = unauthorized", "未授权访问 = unauthorized access",
			"未经授权的访问 = unauthorized access", "身份验证失败 = authentication failed",
			"认证失败 = authentication failed", "需要身份验证 = authentication required",
			"需要认证 = authentication required",
			"您没有权限… = you do not have permission", "你没有权限… = you do not have permission",
			"您无权… = you have no permission", "你无权… = you have no permission",
			"您没有访问… = you have no access",
		},
		loginRequired: []string{
			"需要登录 = login required", "请先登录 = please log in first", "请先登录… = please log in first",
			"请登录后访问 = please log in to access", "请登录后… = please log in to",
			"登录后才能访问 = log in to access", "您还未登录 = you are not logged in",
			"您尚未登录 = you are not logged in",
			"登录已过期 = login expired", "登录超时 = login timed out", "会话已过期 = session expired",
			"会话超时 = session timed out", "登录失效 = login expired", "登录状态已失效 = login expired",
		},
		signIn: []string{
			"登录 = log in", "登陆 = log in", "用户登录 = user login", "账号登录 = account login",
			"帐号登录 = account login", "账户登录 = account login", "统一身份认证 = single sign-on",
			"请登录 = please log in",
		},
	},
	{
		name: "Chinese (Traditional)",
		denied: []string{
			"拒絕存取 = access denied", "存取被拒 = access denied", "存取被拒絕 = access denied",
			"存取遭拒 = access denied", "拒絕訪問 = access denied", "訪問被拒絕 = access denied",
			"禁止存取 = access forbidden", "禁止訪問 = access forbidden", "無權存取 = no permission to access",
			"無權限存取 = no permission to access", "沒有權限 = no permission", "權限不足 = insufficient permission",
			"未經授權 = unauthorized", "未授權 = unauthorized", "未經授權的存取 = unauthorized access",
			"需要驗證 = authentication required", "需要身分驗證 = authentication required",
			"需要身份驗證 = authentication required", "驗證失敗 = authentication failed",
			"您沒有權限… = you do not have permission", "你沒有權限… = you do not have permission",
			"您無權… = you have no permission",
		},
		loginRequired: []string{
			"需要登入 = login required", "請先登入 = please log in first", "請先登入… = please log in first",
			"請登入後… = please log in to", "您尚未登入 = you are not logged in",
			"登入逾時 = login timed out", "登入已過期 = login expired", "工作階段已過期 = session expired",
		},
		signIn: []string{
			"登入 = log in", "使用者登入 = user login", "會員登入 = member login", "帳號登入 = account login",
			"請登入 = please log in", "登錄 = log in",
		},
	},
	{
		name: "Japanese",
		denied: []string{
			"アクセスが拒否されました = access was denied", "アクセスは拒否されました = access was denied",
			"アクセス拒否 = access denied", "アクセス禁止 = access forbidden",
			"アクセスできません = cannot access", "アクセス権がありません = you have no access rights",
			"アクセス権限がありません = you have no access permission",
			"権限がありません = you have no permission", "閲覧権限がありません = you have no permission to view",
			"このページを表示する権限がありません = you do not have permission to view this page",
			"このページにアクセスする権限がありません = you do not have permission to access this page",
			"このページを表示する権限… = permission to view this page",
			"このページにアクセスする権限… = permission to access this page",
			"許可されていません = not permitted", "認証が必要です = authentication required",
			"認証エラー = authentication error", "認証に失敗しました = authentication failed",
			"認証されていません = not authenticated",
		},
		loginRequired: []string{
			"ログインが必要です = login required", "ログインが必要 = login required",
			"ログインが必要なページです = this page requires login", "ログインしてから… = after logging in",
			"再度ログインしてください = please log in again",
			"セッションの有効期限が切れました = the session has expired",
			"セッションがタイムアウトしました = the session timed out",
			"セッションタイムアウト = session timeout", "ログインしていません = not logged in",
		},
		signIn: []string{
			"ログイン = log in", "サインイン = sign in", "ログイン画面 = login screen",
			"ログインページ = login page", "ログオン = log on", "ログインしてください = please log in",
		},
	},
	{
		name: "Italian",
		denied: []string{
			"accesso negato = access denied", "accesso non autorizzato = unauthorized access",
			"non autorizzato = unauthorized", "accesso vietato = access forbidden",
			"accesso riservato = restricted access", "accesso limitato = restricted access",
			"permesso negato = permission denied", "autenticazione richiesta = authentication required",
			"autorizzazione richiesta = authorization required",
			"non hai i permessi… = you do not have permission", "non hai il permesso… = you do not have permission",
			"non disponi delle autorizzazioni… = you do not have permission",
			"non sei autorizzato… = you are not authorized",
			"non si dispone delle autorizzazioni… = you do not have permission",
		},
		loginRequired: []string{
			"accesso richiesto = sign-in required", "login richiesto = login required",
			"è necessario effettuare l'accesso = you need to sign in",
			"devi effettuare l'accesso = you must sign in",
			"effettua l'accesso per… = sign in to", "accedi per… = sign in to",
			"sessione scaduta = session expired", "la sessione è scaduta = the session has expired",
		},
		signIn: []string{
			"accedi = sign in", "accesso = sign in", "effettua l'accesso = sign in", "entra = sign in",
		},
	},
	{
		name: "Dutch",
		denied: []string{
			"toegang geweigerd = access denied", "geen toegang = no access",
			"niet geautoriseerd = unauthorized", "onbevoegd = unauthorized",
			"onbevoegde toegang = unauthorized access", "toegang verboden = access forbidden",
			"niet bevoegd = not authorized",
			"je hebt geen toegang… = you do not have access", "u heeft geen toegang… = you do not have access",
			"u hebt geen toegang… = you do not have access", "je hebt geen rechten… = you do not have rights",
			"u heeft geen rechten… = you do not have rights", "u bent niet bevoegd… = you are not authorized",
			"je bent niet bevoegd… = you are not authorized", "u bent niet gemachtigd… = you are not authorized",
		},
		loginRequired: []string{
			"inloggen vereist = login required", "aanmelden vereist = sign-in required",
			"u moet ingelogd zijn = you must be logged in", "je moet ingelogd zijn = you must be logged in",
			"log in om… = log in to", "meld je aan om… = sign in to",
			"sessie verlopen = session expired", "uw sessie is verlopen = your session has expired",
			"je sessie is verlopen = your session has expired",
		},
		signIn: []string{
			"inloggen = log in", "aanmelden = sign in", "meld u aan = sign in", "meld je aan = sign in",
		},
	},
	{
		name: "Polish",
		denied: []string{
			"odmowa dostępu = access denied", "brak dostępu = no access", "dostęp zabroniony = access forbidden",
			"dostęp zastrzeżony = restricted access", "dostęp ograniczony = restricted access",
			"brak uprawnień = no permission", "nieautoryzowany dostęp = unauthorized access",
			"nieuprawniony dostęp = unauthorized access",
			"wymagane uwierzytelnienie = authentication required",
			"wymagana autoryzacja = authorization required",
			"nie masz uprawnień… = you do not have permission", "nie masz dostępu… = you do not have access",
			"nie posiadasz uprawnień… = you do not have permission",
		},
		loginRequired: []string{
			"wymagane logowanie = login required", "wymagane zalogowanie = login required",
			"musisz być zalogowany = you must be logged in", "musisz się zalogować… = you must log in",
			"zaloguj się, aby… = log in to", "sesja wygasła = session expired",
			"twoja sesja wygasła = your session has expired",
		},
		signIn: []string{
			"zaloguj się = log in", "zaloguj = log in", "logowanie = login",
		},
	},
	{
		name: "Korean",
		denied: []string{
			"접근 거부 = access denied", "접근이 거부되었습니다 = access was denied",
			"액세스 거부 = access denied", "액세스가 거부되었습니다 = access was denied",
			"접근 권한이 없습니다 = you have no access permission", "접근 권한 없음 = no access permission",
			"권한이 없습니다 = you have no permission", "권한 없음 = no permission",
			"인증되지 않음 = not authenticated", "인증 실패 = authentication failed",
			"인증이 필요합니다 = authentication required", "허가되지 않은 접근 = unauthorized access",
			"이 페이지에 접근할 권한이… = permission to access this page",
		},
		loginRequired: []string{
			"로그인이 필요합니다 = login required", "로그인이 필요한 서비스입니다 = this service requires login",
			"로그인이 필요한 페이지입니다 = this page requires login",
			"로그인 후 이용해 주세요 = please log in to use this", "로그인 후… = after logging in",
			"세션이 만료되었습니다 = the session has expired",
			"로그인 세션이 만료되었습니다 = the login session has expired",
		},
		signIn: []string{
			"로그인 = log in", "회원 로그인 = member login",
		},
	},
	{
		name: "Turkish",
		denied: []string{
			"erişim reddedildi = access denied", "erişim engellendi = access blocked",
			"erişim yasak = access forbidden", "yetkisiz erişim = unauthorized access",
			"yetkisiz = unauthorized", "yetkiniz yok = you are not authorized",
			"erişim yetkiniz yok = you have no access permission", "izin reddedildi = permission denied",
			"kimlik doğrulama gerekli = authentication required",
			"kimlik doğrulaması gerekli = authentication required",
			"bu sayfayı görüntüleme yetkiniz… = your permission to view this page",
			"bu sayfaya erişim yetkiniz… = your permission to access this page",
			"bu sayfaya erişim izniniz… = your permission to access this page",
		},
		loginRequired: []string{
			"giriş yapmanız gerekiyor = you need to log in", "giriş yapmalısınız = you must log in",
			"oturum açmanız gerekiyor = you need to sign in", "oturum açmanız gerekli = you need to sign in",
			"devam etmek için giriş… = log in to continue",
			"oturumunuzun süresi doldu = your session has expired",
			"oturum süresi doldu = session expired", "oturum sona erdi = session ended",
		},
		signIn: []string{
			"giriş yap = log in", "giriş = login", "oturum aç = sign in", "lütfen giriş yapın = please log in",
			"üye girişi = member login", "kullanıcı girişi = user login",
		},
	},
}

// phraseIndex holds every phrase by category, in table order: English
// first, so a phrase several languages share ("login") is glossed once.
var phraseIndex = buildIndex(languages)

func buildIndex(langs []language) [numCategories][]*phrase {
	var idx [numCategories][]*phrase
	seen := map[string]bool{}
	for _, l := range langs {
		for c, list := range [numCategories][]string{l.denied, l.loginRequired, l.signIn} {
			for _, e := range list {
				text, gloss, _ := strings.Cut(e, " = ")
				p := &phrase{lang: l.name, gloss: gloss, cat: category(c)}
				if t, ok := strings.CutSuffix(text, "…"); ok {
					text, p.prefix = t, true
				}
				p.text = text
				key := strings.Join([]string{text, string(rune('0' + c))}, "\x00")
				if seen[key] {
					continue
				}
				seen[key] = true
				idx[c] = append(idx[c], p)
			}
		}
	}
	return idx
}
