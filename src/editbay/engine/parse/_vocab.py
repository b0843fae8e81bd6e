"""Word lists: the editing vocabulary (typo-correction targets) and the words known to be harmless.

Two jobs. Typo correction maps an unknown word onto `KEYWORDS` (the words the rules look for).
Refusal heuristics ask whether an object noun ("the sky", "a dragon") is *outside* the editing
vocabulary: a word not in `KNOWN` that follows "add"/"remove"/"make the" names something in the
scene, which a whole-frame engine cannot touch.
"""

from __future__ import annotations

import re

# Words the rules match on. Misspellings of these get corrected (same first letter, edit distance).
KEYWORDS: frozenset[str] = frozenset(
    """
    black white gray grayscale monochrome sepia vintage retro faded washed cinematic cinema
    hollywood blockbuster teal orange warm warmer warmth warmest cool cooler colder cold bluish
    contrast contrasty saturation saturated desaturate desaturated vivid vibrant colorful muted
    brightness brighter brighten lighter lighten darker darken exposure gamma invert inverted negative
    temperature kelvin color colors colored tint tone tones grade grading graded look filter
    blur blurry blurred sharpen sharper sharpness sharpened crisp crisper denoise noise noisy grain
    grainy vignette pixelate pixelated pixelation pixels mosaic glow glowing bloom dreamy soft focus
    speed faster slower slow fast quick quicker motion timelapse hyperlapse reverse reversed backwards
    backward rewind trim keep remove delete cut shorten loop looped repeat times boomerang bounce
    freeze frozen frame seconds second minutes minute
    aspect ratio vertical portrait horizontal landscape square widescreen cinemascope ultrawide
    anamorphic tiktok reels instagram youtube shorts stories snapchat facebook twitter letterbox
    letterboxing framerate fps append prepend extend lengthen stretch superimpose faintly discreetly
    choppy segment segments sections portions bits piece pieces chunk chunks
    resize resolution scale upscale downscale rotate rotated rotation clockwise counterclockwise
    anticlockwise upside flip flipped mirror mirrored zoom zoomed crop cropped
    fade faded black audio sound volume mute muted silence silent louder quieter quiet loud
    normalize normalized loudness level boost increase decrease reduce lower raise amplify
    text title caption captions subtitle subtitles label heading headline watermark logo overlay
    image picture saying says reads reading position top bottom left right center middle corner
    upper lower semi transparent opacity translucent
    """.split()
)

# Frame-level nouns: edits aimed at these apply to the whole picture or sound.
FRAME_NOUNS: frozenset[str] = frozenset(
    """
    it this that video videos clip clips footage image picture frame frames film movie shot scene
    recording vid reel tiktok short story content visuals sequence edit project output result thing
    whole entire everything lighting light shadows highlights midtones blacks whites colors color hues
    hue tint mood vibe feel atmosphere look grade tone tones palette exposure contrast saturation
    brightness sharpness edges edge corners corner borders border sides side screen top bottom left
    right middle center start beginning end ending intro outro part section portion bit first last
    audio sound sounds music soundtrack track noise voice voices volume speed pace tempo playback
    aspect ratio format orientation size resolution dimensions text title caption subtitle logo
    watermark overlay images pictures mark row time times second seconds minute minutes loudness
    width height length duration
    levels level grain focus background backdrop bars way lot one ones instagram youtube tiktok
    """.split()
)

# Function words, fillers and common harmless words.
STOPWORDS: frozenset[str] = frozenset(
    """
    a an the it its it's this that these those them they their there here my our your his her
    i me we us you he she him and or but so then also plus as well too with without of to in on at
    by for from into onto over under up down out off about around across along through throughout
    after before during until till while when where which who whom whose what how why all each every
    some any no not only just very really quite rather much more most less least lot lots bit little
    please pls plz thanks thank could can would will shall should may might must do does did done
    be is are was were been being am have has had get got make made making makes give gives gave
    let lets use using apply applied add put set turn go want wanted need like love i'd i'm you're
    can't don't doesn't won't isn't hey hi hello okay ok yeah yes kind sort whole entire entirely
    same other another again once now than if because slightly somewhat extra way super overall
    whole thing stuff maybe also perhaps actually basically just simply nice nicely good great
    cool awesome looks look looking feel feeling something anything everything nothing one two
    """.split()
)

# Ordinary words that happen to be one typo away from a keyword: never "correct" them.
NOT_TYPOS: frozenset[str] = frozenset(
    """
    stay stays stayed staying stage stages scenery shaky shakey steady steadier wobbly jerky faces
    shakiness shakyness jitteriness wobbliness unsteadiness bokeh
    show snow slot flow blow glow fist feast past vast face made fame fate wade blue slur worm ward
    wart coal tool coil coop drop crap bold gold colt cord grow hall calf lord load mate mule more
    look loot hoop trip grim prey flap slip clip room boom keen mike lower later layer lighter
    white whit quit quiet quite quote cute cuts cute fast last mist must most mute note tone tune
    tint taint time tile title tilt rotten rotted sharp shape share shade spade speed seed steed
    revers revered severe reserve reverie lifted gifted sifted fades faded fates fated blurb
    player played plays plate plane plan place loose close clone clown brown frown crown grown
    glowing growing flowing blowing colder older bolder holder folder
    write wrote written writes writing white while whole which where were what when than then them
    there their these those this that thin think thing things through though thought three throw
    about above after again against almost alone along already always among another answer anyone
    around asked away back became because become before began begin being below best better between
    both bring brought build built call came cannot carry cause change check children city close
    come could country course cover cross dark data days different does done door down draw during
    each early earth easy enough even ever every example face fact family feel few field find fine
    fire first follow food form found four free friend from full game gave general give goes going
    good great green group grow hand happen hard have head hear heard help here high hold home horse
    hour house idea important inch inside just keep kind knew know land large last late learn leave
    left less life light like line list little live long look made main make many mark matter mean
    might mile mind miss money more morning most mother move much music must name near need never
    next night note nothing notice number often once only open order other page paper part pass past
    people perhaps person picture piece place plain plan plant play point port power press problem
    product pull put question quick quite rain reach read ready real record rest right river road rock
    room round rule same save school science second seem self sentence serve several shape short should
    side simple since size sleep slow small snow some song soon sound south space special spell stand
    star start state stay step still stood stop story street strong study such sure surface table
    tail take talk teach tell test their there thing those thus today together told took town travel
    tree true turn under unit until upon very voice vowel wait walk want warm watch water wave ways
    week weight well went west wheel while white whole wide wild will wind window wish with without
    wonder wood word work world would write year young
    """.split()
)

# Single tokens that `_phrases.set_phrases` writes for multi-word names.
CANONICAL: frozenset[str] = frozenset(
    """
    blackandwhite tealorange pingpong slowmo timelapse upsidedown fastforward kenburns
    pictureinpicture denoise semitransparent softfocus washedout lowkey highkey lowerthird
    """.split()
)

# Further words the rules read (modifiers, synonyms, platform and format names). Not typo targets:
# they are here so that the refusal heuristics do not take them for objects in the scene.
RULE_WORDS: frozenset[str] = frozenset(
    """
    achromatic adjust aged amplify amplified angelic animated antique arctic area artefacts artifacts
    attenuate auto away axis badge balance bar barely beautify begin better between bleach bleached bleak
    blocky bluer bokeh boring bounce bouncing brand branding brief bright bring broadcast bump burn bypass
    calm card cast ccw censor censored change chill chilly chop chroma clarity clean close closer
    completely compression conclude considerably consistent convert correct correction cosy cozy crank
    crazy credits creep cropping cross crush crushed daguerreotype dark darkness deal deblur decelerate
    decibel decibels decrease deepen defined definition defocus defocused delete desaturated detail details
    dial diffusion digital dim dimmer disable discard display ditch dolly downscale downsize drab drain
    drop duck dull dust earthy ebu eighties eliminate emblem emulation enhance enhanced enlarge enormous
    epic ethereal even exclude expose fades fading faint fake fall fashioned file fill filmic fit fix
    flat flatten footer fourth framing freeze frozen front frost frosted frosty fully fuzzy gain gaussian
    gently ghost glass gloomier graininess graphic grayish gritty halation halve hand harsh haze hazy hdr
    header headings headlines heavenly heavily heighten hint hold holding home hotter hour hugely hurry
    icon icy improve include increase insanely insert inside intensify inverse juicy kill knock
    kodachrome labels lasting leave leisurely lessen letterboxed lift lifted lightly limit loads logos
    lomo long lop lose lush magnify massive massively matte max maximize maximum message mid mids
    minimize misty mono moodier moody moonlight moonlit moving muting name near nicer nineties noisiness
    nostalgic nostalgia noticeably nuke omit opaque open opposite orangey orton overexposed overexpose
    oversaturated pad padding pale parts pastel pause pillarbox pingpong place play plenty png polish pop
    popping poppy possible print process processed progressive prominent pump punch punchy push qhd quote
    raise ramp rate real reduce reduction reformat remove replay res rescale resize retention return
    rich rid rule rush say school scope scratches see seriously seventies severe shade shades sharp
    shave shorter show shrink significantly silence skip slogan smear smoother snip soften softly song
    soundless speckled speckles speedy stamp standard static steadily steely sticker still stock stop
    stops streaming subdued subtly sudden summery sunny suppress switch tad tagline take taking tall
    tame texture theatrical things third throw throwback thru tighter tintype titles ton toned tons
    totally touch towards type ultra unblur uncropped underexposed underexpose understated unfocused
    unsharp upright upscale upsize velvia vibrance visible visual western wide wintry wintery yellowish
    yoyo zero out rolling kelvin lut ev stop dB hd uhd fhd portra matrix bypass
    word words wording lettering platform platforms app apps channel account page
    """.split()
)

KNOWN: frozenset[str] = KEYWORDS | FRAME_NOUNS | STOPWORDS | CANONICAL | RULE_WORDS


def _extra_known() -> frozenset[str]:
    # Words that legitimately appear around edits (adjectives, directions, units, platform names).
    return frozenset(
        """
        seconds secs sec s ms minutes mins min db decibels lufs percent times x fps p k hd uhd fhd
        clockwise degrees degree deg quarter half double triple quadruple twice thrice fold
        start end beginning ending finish opening closing final initial halfway middle
        midway midpoint point central latter former fifth fifths tenth tenths 1st 2nd 3rd 4th 5th nd rd th
        except excepting excluding apart aside besides
        top bottom left right upper lower centre center centered corner corners side sides edge edges
        horizontally vertically sideways upside down backwards forwards forward backward back forth
        reversed inverted mirrored flipped rotated zoomed cropped resized scaled looped sped slowed
        faster slower quicker speedier quick slowly quickly gradually gradual smooth smoothly steady
        stronger weaker heavier lighter softer harder bigger smaller larger large small big tiny huge
        giant medium bold strong weak heavy light soft hard deep high low higher lower full
        red green blue yellow orange purple pink gray grey black white cyan magenta gold golden silver
        brown violet navy teal beige maroon lime olive turquoise amber
        subtle gentle mild slight intense extreme extremely dramatic natural normal original default
        tiktok reels reel shorts stories story instagram insta ig youtube yt snapchat facebook twitter
        pinterest linkedin whatsapp post feed phone mobile desktop tv cinema screen
        effect effects filter filters style styled styling feel vibe mode version preset lut luts look
        please quickly now asap okay thanks
        old timey older night day daytime nighttime film films movie movies photo photos photograph camera
        tape cinema dream dreamy glowy modern classic noir sunset sunrise summer winter autumn spring
        hollywood blockbuster polaroid kodak fuji fujifilm technicolor vhs analog analogue super
        brownish bluish yellowish orangey orangish twenties thirties forties fifties sixties seventies
        eighties nineties era decade intensity
        shots scenes clips seconds effect add adding added apply applying applied attached uploaded provided
        given supplied included pixel pixels block blocks squares tiles chunky chunkier coarse fine finer
        letters
        font box banner backing strip colored coloured looking style styled vibes aesthetic aesthetics
        face faces heads identity identities anonymize anonymized anonymous privacy person people persons
        background backdrop scenery surroundings bokeh portrait focus subject stabilize stabilized shaky
        steady steadier wobbly jerky jittery shakey shakiness handheld gimbal tripod reframe follow
        following track
        tracking pan shot shots scene scenes intro outro opening ending credits reference ref palette
        """.split()
    )


KNOWN = KNOWN | _extra_known()

_WORD = re.compile(r"[a-z][a-z']*")


def content_words(text: str) -> list[str]:
    """Alphabetic words of ``text`` (already lower case) that are not known editing vocabulary."""
    return [w for w in _WORD.findall(text) if w not in KNOWN and w.rstrip("s") not in KNOWN]
